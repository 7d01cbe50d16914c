-- Back to the words alone (migration 000081's triggers and document).
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;
DROP TABLE case_search;

CREATE VIRTUAL TABLE case_search USING fts5(
    search_text, content = '', tokenize = 'ascii', detail = 'none'
);
INSERT INTO case_search (rowid, search_text) SELECT search_key, search_text FROM cases;

CREATE TRIGGER cases_search_update AFTER UPDATE OF search_text, priority ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, search_text)
        SELECT 'delete', old.search_key, old.search_text
         WHERE NOT EXISTS (SELECT 1 FROM case_search_pending WHERE case_rowid = new.rowid);
    UPDATE cases SET search_key = (
        SELECT b.base + (SELECT count(*) FROM cases c WHERE c.search_key >= b.base AND c.search_key < b.base + 1024)
          FROM (SELECT (CASE WHEN new.priority THEN 4611686018427387904 ELSE 0 END)
                       + ((CAST(strftime('%s', new.created_at) AS INTEGER) - 946684800) * 1000000
                          + CAST(substr(substr(new.created_at, 21) || '000000', 1, 6) AS INTEGER)) * 1024 AS base) b)
     WHERE rowid = new.rowid AND new.priority IS NOT old.priority;
    INSERT INTO case_search (rowid, search_text)
        SELECT search_key, new.search_text FROM cases
         WHERE rowid = new.rowid
           AND NOT EXISTS (SELECT 1 FROM case_search_pending WHERE case_rowid = new.rowid);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, search_text)
        SELECT 'delete', old.search_key, old.search_text
         WHERE NOT EXISTS (SELECT 1 FROM case_search_pending WHERE case_rowid = old.rowid);
    DELETE FROM case_search_pending WHERE case_rowid = old.rowid;
END;
