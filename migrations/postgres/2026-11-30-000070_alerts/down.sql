DROP TABLE alert_runs;
DROP TABLE alerts;
