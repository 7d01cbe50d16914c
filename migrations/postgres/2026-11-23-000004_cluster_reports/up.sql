-- Violation reports opened from a mass-complaint cluster (Law 19/2023 Art 54(2)) and the cases
-- each one covers (PostgreSQL). Keep in step with migrations/sqlite: same tables, same columns.

CREATE TABLE cluster_reports (
    report_case_id  TEXT PRIMARY KEY REFERENCES cases(id),
    business_key    TEXT NOT NULL,
    -- 1 for the first report about this business, 2 for the next one (after the first closed):
    -- two concurrent openings compute the same number and the later insert fails on the
    -- unique index, so a cluster never gets two reports by a race.
    seq             INTEGER NOT NULL,
    -- The cluster as it was when the report was opened.
    consumers       INTEGER NOT NULL,
    first_at        TIMESTAMP NOT NULL,
    last_at         TIMESTAMP NOT NULL,
    opened_by       TEXT REFERENCES users(id),
    opened_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX cluster_reports_key_seq_idx ON cluster_reports (business_key, seq);
CREATE INDEX cluster_reports_opened_idx ON cluster_reports (opened_at);

CREATE TABLE cluster_report_cases (
    report_case_id  TEXT NOT NULL REFERENCES cluster_reports(report_case_id),
    case_id         TEXT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (report_case_id, case_id)
);
CREATE INDEX cluster_report_cases_case_idx ON cluster_report_cases (case_id, report_case_id);
