ALTER TABLE cases DROP COLUMN visible_to;
