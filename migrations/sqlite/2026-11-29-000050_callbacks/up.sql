-- Callbacks as tasks (issue 13 item 3): a call that ends "callback" owes the caller a call back
-- by a time, by an owner; done when it is made. A follow-up call may be about an existing case
-- (calls.case_id, already there). The sweep reminds the owner once when a callback falls due.
ALTER TABLE calls ADD COLUMN callback_due_at TIMESTAMP;
ALTER TABLE calls ADD COLUMN callback_owner_id TEXT REFERENCES users(id);
ALTER TABLE calls ADD COLUMN callback_done_at TIMESTAMP;
ALTER TABLE calls ADD COLUMN callback_reminded BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX calls_open_callbacks_idx ON calls (agency_code, callback_due_at) WHERE callback_due_at IS NOT NULL AND callback_done_at IS NULL;
