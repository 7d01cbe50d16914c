-- A period report submitted (issue 14): its figures frozen as they were — the summary as JSON
-- and the printed PDF — once per report, period and reporting scope (an agency's code, or
-- 'province' for the coordinators' consolidated report).
CREATE TABLE report_submissions (
    id            TEXT PRIMARY KEY,
    report        TEXT NOT NULL,
    period        TEXT NOT NULL,
    scope         TEXT NOT NULL,
    submitted_by  TEXT NOT NULL REFERENCES users(id),
    submitted_at  TIMESTAMP NOT NULL,
    total_cases   BIGINT NOT NULL,
    summary_json  TEXT NOT NULL,
    pdf           BLOB NOT NULL,
    UNIQUE (report, period, scope)
);

-- A reminder that a report falls due, sent once per report, period and scope.
CREATE TABLE report_reminders (
    report   TEXT NOT NULL,
    period   TEXT NOT NULL,
    scope    TEXT NOT NULL,
    sent_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (report, period, scope)
);
