-- Legal clocks, the editable working-day calendar, and the durable job queue (which is also
-- the e-mail outbox: a send_email job is written in the transaction that causes it).

ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE calendar_days (
    day         DATE PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE case_clocks (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    clock         TEXT NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    start_date    DATE NOT NULL,
    length_wd     INTEGER,
    fixed_due     DATE,
    pauses        TEXT NOT NULL,
    paused_since  DATE,
    due_date      DATE NOT NULL,
    due_at        TIMESTAMP NOT NULL,
    provisional   BOOLEAN NOT NULL,
    state         TEXT NOT NULL,
    result        TEXT,
    stopped_at    TIMESTAMP,
    reminded      BOOLEAN NOT NULL,
    overdue       BOOLEAN NOT NULL
);
CREATE INDEX case_clocks_case_idx ON case_clocks (case_id);
CREATE INDEX case_clocks_open_idx ON case_clocks (state, due_at);

CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    dedupe_key    TEXT UNIQUE,
    payload       TEXT NOT NULL,
    run_at        TIMESTAMP NOT NULL,
    attempts      INTEGER NOT NULL,
    max_attempts  INTEGER NOT NULL,
    status        TEXT NOT NULL,
    locked_by     TEXT,
    locked_until  TIMESTAMP,
    last_error    TEXT,
    created_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP
);
CREATE INDEX jobs_ready_idx ON jobs (status, run_at);
CREATE INDEX jobs_kind_idx ON jobs (kind, status, created_at);
