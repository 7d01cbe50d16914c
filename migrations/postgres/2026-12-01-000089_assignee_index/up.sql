-- The open cases a person holds: the "mine" queue, a supervisor's choice of whom to give a case
-- to (how many each holds), and the release of a departing person's cases. A new case has no
-- assignee, so the index keeps only the rows that have one and intake writes nothing to it
-- (as ADR 0060's partial indexes).
CREATE INDEX cases_assignee_idx ON cases (assignee_id) WHERE assignee_id IS NOT NULL;
