DROP INDEX cases_agency_unit_idx;
ALTER TABLE cases DROP COLUMN unit_code;
ALTER TABLE users DROP COLUMN unit_code;
