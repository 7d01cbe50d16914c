DROP INDEX cases_duplicate_idx;
CREATE INDEX cases_duplicate_idx ON cases (consumer_phone, business_key, created_at);
