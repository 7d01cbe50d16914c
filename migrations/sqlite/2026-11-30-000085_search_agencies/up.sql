-- Search by agency on SQLite at a million cases (ADR 0057). An agency's staff search among the
-- cases the agency may read; SQLite read the matching keys of every case newest first and
-- checked the agency (and the status) on each case row, so a small agency's search for common
-- words with a status filter read ~16 keys per case it could show (p99 125 ms at 1,000,000
-- cases). Each case's document in the search index now holds, after its words, one token per
-- agency that may read it (`cases.visible_to`, migration 000072): `@` and the code in
-- hexadecimal ("CA" -> `@4341`), which no word can be (words are ASCII letters and digits, and
-- `@` is a token character only here), so an agency's search asks the index for its token too
-- and reads only its own cases' keys. The case row's scope check stays: the token can only
-- narrow a search, never widen it.
--
-- The document of a case is `search_text || ' ' || tokens(visible_to)`; the triggers below
-- and `db::portability::NOTED_CASES` build it the same way (FTS5's contentless 'delete' needs
-- exactly the tokens that were inserted), and a change of `visible_to` re-indexes the case.
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;
DROP TABLE case_search;

CREATE VIRTUAL TABLE case_search USING fts5(
    search_text, content = '', tokenize = "ascii tokenchars '@'", detail = 'none'
);
INSERT INTO case_search (rowid, search_text)
    SELECT c.search_key, c.search_text || COALESCE((SELECT ' ' || group_concat('@' || hex(j.value), ' ')
        FROM json_each('["' || REPLACE(REPLACE(REPLACE(c.visible_to, '\', '\\'), '"', '\"'), ' ', '","') || '"]') j
        WHERE j.value <> ''), '')
      FROM cases c;

CREATE TRIGGER cases_search_update AFTER UPDATE OF search_text, priority, visible_to ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, search_text)
        SELECT 'delete', old.search_key, old.search_text || COALESCE((SELECT ' ' || group_concat('@' || hex(j.value), ' ')
            FROM json_each('["' || REPLACE(REPLACE(REPLACE(old.visible_to, '\', '\\'), '"', '\"'), ' ', '","') || '"]') j
            WHERE j.value <> ''), '')
         WHERE NOT EXISTS (SELECT 1 FROM case_search_pending WHERE case_rowid = new.rowid);
    UPDATE cases SET search_key = (
        SELECT b.base + (SELECT count(*) FROM cases c WHERE c.search_key >= b.base AND c.search_key < b.base + 1024)
          FROM (SELECT (CASE WHEN new.priority THEN 4611686018427387904 ELSE 0 END)
                       + ((CAST(strftime('%s', new.created_at) AS INTEGER) - 946684800) * 1000000
                          + CAST(substr(substr(new.created_at, 21) || '000000', 1, 6) AS INTEGER)) * 1024 AS base) b)
     WHERE rowid = new.rowid AND new.priority IS NOT old.priority;
    INSERT INTO case_search (rowid, search_text)
        SELECT c.search_key, c.search_text || COALESCE((SELECT ' ' || group_concat('@' || hex(j.value), ' ')
            FROM json_each('["' || REPLACE(REPLACE(REPLACE(c.visible_to, '\', '\\'), '"', '\"'), ' ', '","') || '"]') j
            WHERE j.value <> ''), '')
          FROM cases c
         WHERE c.rowid = new.rowid
           AND NOT EXISTS (SELECT 1 FROM case_search_pending WHERE case_rowid = new.rowid);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, search_text)
        SELECT 'delete', old.search_key, old.search_text || COALESCE((SELECT ' ' || group_concat('@' || hex(j.value), ' ')
            FROM json_each('["' || REPLACE(REPLACE(REPLACE(old.visible_to, '\', '\\'), '"', '\"'), ' ', '","') || '"]') j
            WHERE j.value <> ''), '')
         WHERE NOT EXISTS (SELECT 1 FROM case_search_pending WHERE case_rowid = old.rowid);
    DELETE FROM case_search_pending WHERE case_rowid = old.rowid;
END;
