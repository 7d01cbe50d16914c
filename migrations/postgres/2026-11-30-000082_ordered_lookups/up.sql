-- The possible-duplicate lookup of every intake (`db::cases::find_possible_duplicate`: this
-- phone, this business, since a date, newest first, one row) gets an index that answers it in
-- its own order, so no plan needs a sort and no planner prefers `cases_business_idx`
-- (business, created_at) with the phone as a filter. On PostgreSQL that happened to the
-- prepared statement's generic plan whenever it was made before the table's first ANALYZE (a
-- new installation, the first minute of a campaign): each intake then read every recent case
-- of the business (2,600 rows at 10,000 cases), and intake slowed as the table grew (ADR 0046).
DROP INDEX cases_duplicate_idx;
CREATE INDEX cases_duplicate_idx ON cases (consumer_phone, business_key, created_at DESC, id DESC);

-- PostgreSQL: a status filter in the list's own order (priority, then newest first). A text
-- search filtered by status (the console's queue tabs with a search) can then walk one status
-- newest first and stop at a page, instead of intersecting every match of the words with every
-- case of the status and sorting them all. At 1,000,000 cases: "hoàn tiền" in status routed for
-- the SCT handler 140 ms -> 6 ms; the median of 30 such searches 36-40 ms -> 9-11 ms. The
-- index on status alone stays: bitmap intersections read it (12 times smaller) faster. SQLite
-- finds a text search's page through the search key's windows (ADR 0044) and is unchanged.
CREATE INDEX cases_status_order_idx ON cases (status, priority DESC, created_at DESC, id DESC);
