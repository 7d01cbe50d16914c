DROP INDEX cases_mediator_idx;
CREATE INDEX cases_mediator_idx ON cases (mediator_id);
DROP INDEX cases_business_tax_code_idx;
CREATE INDEX cases_business_tax_code_idx ON cases (business_tax_code);
