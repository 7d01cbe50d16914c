ALTER TABLE cases DROP COLUMN search_tsv;
ALTER TABLE cases DROP COLUMN visible_to;
ALTER TABLE cases ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) STORED;
CREATE INDEX cases_search_idx ON cases USING gin (search_tsv) WITH (fastupdate = off);
