-- A case has a mediator only once it is in mediation, and a business's tax code only when the
-- complainant knew it: most rows have neither. Both indexes answer lookups by a value
-- (`mediator_id = ?`, `business_tax_code = ?`, which imply NOT NULL), so they keep only the
-- rows that have one, and a new case writes neither (ADR 0060).
DROP INDEX cases_mediator_idx;
CREATE INDEX cases_mediator_idx ON cases (mediator_id) WHERE mediator_id IS NOT NULL;
DROP INDEX cases_business_tax_code_idx;
CREATE INDEX cases_business_tax_code_idx ON cases (business_tax_code) WHERE business_tax_code IS NOT NULL;
