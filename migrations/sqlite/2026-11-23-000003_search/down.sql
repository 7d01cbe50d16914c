DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_update;
DROP TRIGGER cases_search_delete;
DROP TABLE case_search;
DROP INDEX cases_search_key_idx;
ALTER TABLE cases DROP COLUMN search_key;

CREATE VIRTUAL TABLE case_fts USING fts5(search_text, case_id UNINDEXED, tokenize = 'ascii');
INSERT INTO case_fts (search_text, case_id) SELECT search_text, id FROM cases;
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_fts (search_text, case_id) VALUES (new.search_text, new.id);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF search_text ON cases BEGIN
    DELETE FROM case_fts WHERE case_id = old.id;
    INSERT INTO case_fts (search_text, case_id) VALUES (new.search_text, new.id);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
    DELETE FROM case_fts WHERE case_id = old.id;
END;
