ALTER TABLE case_clocks DROP COLUMN agency;
