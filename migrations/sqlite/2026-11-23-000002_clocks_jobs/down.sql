DROP TABLE jobs;
DROP TABLE case_clocks;
DROP TABLE calendar_days;
ALTER TABLE users DROP COLUMN email;
