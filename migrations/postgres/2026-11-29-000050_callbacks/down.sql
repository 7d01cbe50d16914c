DROP INDEX calls_open_callbacks_idx;
ALTER TABLE calls DROP COLUMN callback_reminded;
ALTER TABLE calls DROP COLUMN callback_done_at;
ALTER TABLE calls DROP COLUMN callback_owner_id;
ALTER TABLE calls DROP COLUMN callback_due_at;
