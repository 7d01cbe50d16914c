-- Units under an agency (issue 13 point 6, ADR 0033): the commune People's Committees under
-- UBND_XA and the association's branches (Chi hội) under HOI. The units themselves are
-- configuration (config/units.toml + config/admin-units.json), checked at start; staff belong to
-- at most one unit of their agency, and a case carries the unit of its current agency that
-- works it (suggested from the consumer's commune, set when routed or transferred).
ALTER TABLE users ADD COLUMN unit_code TEXT;
ALTER TABLE cases ADD COLUMN unit_code TEXT;
CREATE INDEX cases_agency_unit_idx ON cases (current_agency, unit_code);
