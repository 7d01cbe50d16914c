-- The possible-duplicate lookup of every intake (`db::cases::find_possible_duplicate`: this
-- phone, this business, since a date, newest first, one row) gets an index that answers it in
-- its own order, so no plan needs a sort and no planner prefers `cases_business_idx`
-- (business, created_at) with the phone as a filter. On PostgreSQL that happened to the
-- prepared statement's generic plan whenever it was made before the table's first ANALYZE (a
-- new installation, the first minute of a campaign): each intake then read every recent case
-- of the business (2,600 rows at 10,000 cases), and intake slowed as the table grew (ADR 0046).
DROP INDEX cases_duplicate_idx;
CREATE INDEX cases_duplicate_idx ON cases (consumer_phone, business_key, created_at DESC, id DESC);
