INSERT INTO case_search (rowid, search_text)
    SELECT c.search_key, c.search_text FROM case_search_pending p JOIN cases c ON c.rowid = p.case_rowid;
DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;
DROP TABLE case_search_pending;
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    UPDATE cases SET search_key = (
        SELECT b.base + (SELECT count(*) FROM cases c WHERE c.search_key >= b.base AND c.search_key < b.base + 1024)
          FROM (SELECT (CASE WHEN new.priority THEN 4611686018427387904 ELSE 0 END)
                       + ((CAST(strftime('%s', new.created_at) AS INTEGER) - 946684800) * 1000000
                          + CAST(substr(substr(new.created_at, 21) || '000000', 1, 6) AS INTEGER)) * 1024 AS base) b)
     WHERE rowid = new.rowid;
    INSERT INTO case_search (rowid, search_text)
        SELECT search_key, new.search_text FROM cases WHERE rowid = new.rowid;
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF search_text, priority ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, search_text) VALUES ('delete', old.search_key, old.search_text);
    UPDATE cases SET search_key = (
        SELECT b.base + (SELECT count(*) FROM cases c WHERE c.search_key >= b.base AND c.search_key < b.base + 1024)
          FROM (SELECT (CASE WHEN new.priority THEN 4611686018427387904 ELSE 0 END)
                       + ((CAST(strftime('%s', new.created_at) AS INTEGER) - 946684800) * 1000000
                          + CAST(substr(substr(new.created_at, 21) || '000000', 1, 6) AS INTEGER)) * 1024 AS base) b)
     WHERE rowid = new.rowid AND new.priority IS NOT old.priority;
    INSERT INTO case_search (rowid, search_text)
        SELECT search_key, new.search_text FROM cases WHERE rowid = new.rowid;
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, search_text) VALUES ('delete', old.search_key, old.search_text);
END;
