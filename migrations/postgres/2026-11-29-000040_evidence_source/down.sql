ALTER TABLE evidence DROP COLUMN source;
