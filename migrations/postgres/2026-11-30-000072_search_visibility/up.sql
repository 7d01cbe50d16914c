-- Search by agency at a million cases (ADR 0041). An agency's staff see the cases of
-- case_agencies; a search for a common word by a small agency walked the newest-first index and
-- probed case_agencies for thousands of cases before its page was full (p99 367 ms). The codes
-- of the agencies that may read a case are now kept on the case row too (`visible_to`, kept by
-- `db::cases` with every grant and revocation) and indexed in the same tsvector as the words,
-- as `@CODE` (never a normalised word: those are ASCII letters and digits); an agency's search
-- asks for its `@CODE` as well, so the GIN index intersects both and the planner knows how rare
-- the pair is. An agency's text search asks for `@CODE` instead of the EXISTS on case_agencies
-- (checking both made the planner count the agency twice); so `visible_to` must always equal
-- the case's grants: only `db::cases` grant/revoke write either, in one transaction.
ALTER TABLE cases ADD COLUMN visible_to TEXT NOT NULL DEFAULT '';
UPDATE cases SET visible_to = COALESCE(
    (SELECT string_agg(ca.agency_code, ' ' ORDER BY ca.agency_code) FROM case_agencies ca WHERE ca.case_id = cases.id), '');
ALTER TABLE cases DROP COLUMN search_tsv;
ALTER TABLE cases ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (array_to_tsvector(array_remove(
        string_to_array(search_text || ' ' || regexp_replace(visible_to, '(\S+)', '@\1', 'g'), ' '), ''))) STORED;
CREATE INDEX cases_search_idx ON cases USING gin (search_tsv) WITH (fastupdate = off);
