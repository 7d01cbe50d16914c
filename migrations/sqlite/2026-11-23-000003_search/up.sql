-- Search in list order. FTS5 answers a query with rowids straight from its index, without
-- reading a stored copy of each document, and can walk them in descending order. Each case
-- gets a `search_key` that is the rowid of its row in a contentless FTS5 table and sorts
-- exactly like the default list order (priority first, then newest):
--     search_key = priority * 2^62 + (microseconds since 2000-01-01 of created_at) * 1024 + slot
-- where slot (0..1023) tells apart cases created in the same microsecond. A search then reads
-- the newest matching keys first and stops once a page is full (`db::portability`), however
-- common the words are. The diesel schema does not list the column: only this file and
-- `db::portability` (which computes the same key for cursors) know it. Unlike the implicit
-- rowid, VACUUM never changes it.
DROP TRIGGER cases_fts_insert;
DROP TRIGGER cases_fts_update;
DROP TRIGGER cases_fts_delete;
DROP TABLE case_fts;

ALTER TABLE cases ADD COLUMN search_key INTEGER;
UPDATE cases SET search_key = k.key
  FROM (SELECT id, base + ROW_NUMBER() OVER (PARTITION BY base ORDER BY id) - 1 AS key
          FROM (SELECT id,
                       (CASE WHEN priority THEN 4611686018427387904 ELSE 0 END)
                       + ((CAST(strftime('%s', created_at) AS INTEGER) - 946684800) * 1000000
                          + CAST(substr(substr(created_at, 21) || '000000', 1, 6) AS INTEGER)) * 1024 AS base
                  FROM cases)) AS k
 WHERE cases.id = k.id;
CREATE UNIQUE INDEX cases_search_key_idx ON cases (search_key);

-- Contentless, without `contentless_delete`: that option made every commit's flush walk a
-- b-tree whose size grows with the table (measured: intake transactions slowed from ~550/s to
-- ~250/s by 40,000 cases). Entries are removed with FTS5's 'delete' command instead, which
-- needs the old text: the triggers have it.
CREATE VIRTUAL TABLE case_search USING fts5(
    search_text, content = '', tokenize = 'ascii', detail = 'none'
);
INSERT INTO case_search (rowid, search_text) SELECT search_key, search_text FROM cases;

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
-- A change of priority moves the case to another key (the list order changed); a change of
-- text re-indexes it under the same key.
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
