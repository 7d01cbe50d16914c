-- The codes of the agencies that may read a case (ADR 0041), kept by `db::cases` with every
-- grant and revocation. PostgreSQL indexes them with the case's words; SQLite keeps the column
-- so that both backends run the same code (its search walks FTS5 keys in list order).
ALTER TABLE cases ADD COLUMN visible_to TEXT NOT NULL DEFAULT '';
UPDATE cases SET visible_to = COALESCE(
    (SELECT group_concat(agency_code, ' ') FROM (SELECT ca.agency_code FROM case_agencies ca
      WHERE ca.case_id = cases.id ORDER BY ca.agency_code)), '');
