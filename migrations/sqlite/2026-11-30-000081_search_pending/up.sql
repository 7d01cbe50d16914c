-- New cases enter the search index once per commit, not once per write unit (ADR 0044).
-- FTS5 writes its pending entries out as a new segment whenever a savepoint is released, and
-- every write unit of the group commit runs in its own savepoint (ADR 0040): each intake made
-- a segment and the merges that follow (measured: 31% of the writer's time at c=32). A new
-- case is now only noted here; `db::portability` indexes the noted cases in one statement just
-- before each commit (outside any unit's savepoint), in the same transaction, so no reader
-- ever sees a committed case that search cannot find. Updates and deletions of a case that is
-- still noted leave the index alone (it has no entry for it yet); the noted row is indexed with
-- its text and key as they are at the commit.
CREATE TABLE case_search_pending (case_rowid INTEGER PRIMARY KEY);

DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;

CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    UPDATE cases SET search_key = (
        SELECT b.base + (SELECT count(*) FROM cases c WHERE c.search_key >= b.base AND c.search_key < b.base + 1024)
          FROM (SELECT (CASE WHEN new.priority THEN 4611686018427387904 ELSE 0 END)
                       + ((CAST(strftime('%s', new.created_at) AS INTEGER) - 946684800) * 1000000
                          + CAST(substr(substr(new.created_at, 21) || '000000', 1, 6) AS INTEGER)) * 1024 AS base) b)
     WHERE rowid = new.rowid;
    INSERT INTO case_search_pending (case_rowid) VALUES (new.rowid);
END;
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
