DROP INDEX cases_search_idx;
ALTER TABLE cases DROP COLUMN search_tsv;
CREATE INDEX cases_search_trgm_idx ON cases USING gin (search_text gin_trgm_ops);
