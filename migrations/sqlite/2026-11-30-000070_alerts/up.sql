-- Early warning (issue 14 point 6, ADR 0038): the signals of the weekly job, one per ISO week,
-- dimension (category or business) and key, and the weeks already examined.
CREATE TABLE alerts (
    id          TEXT PRIMARY KEY,
    week        TEXT NOT NULL,
    week_start  TIMESTAMP NOT NULL,
    week_end    TIMESTAMP NOT NULL,
    dimension   TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    label       TEXT NOT NULL,
    cases_count BIGINT NOT NULL,
    baseline    DOUBLE PRECISION NOT NULL,
    p_value     DOUBLE PRECISION NOT NULL,
    status      TEXT NOT NULL,
    warning_id  TEXT REFERENCES public_warnings(id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (week, dimension, group_key)
);
CREATE INDEX alerts_created_at ON alerts (created_at);

CREATE TABLE alert_runs (
    week     TEXT PRIMARY KEY,
    ran_at   TIMESTAMP NOT NULL,
    signals  BIGINT NOT NULL
);
