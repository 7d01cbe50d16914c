DROP TABLE cluster_report_cases;
DROP TABLE cluster_reports;
