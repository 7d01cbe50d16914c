-- Who sent an evidence file: staff (uploaded_by names them), the consumer through their link,
-- or the business through its link (issue 12). Rows before this migration without an uploader
-- came from the consumer.
ALTER TABLE evidence ADD COLUMN source TEXT NOT NULL DEFAULT 'staff';
UPDATE evidence SET source = 'citizen' WHERE uploaded_by IS NULL;
