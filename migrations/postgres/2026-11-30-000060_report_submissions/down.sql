DROP TABLE report_reminders;
DROP TABLE report_submissions;
