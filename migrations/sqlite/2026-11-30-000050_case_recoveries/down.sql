DROP TABLE case_recoveries;
