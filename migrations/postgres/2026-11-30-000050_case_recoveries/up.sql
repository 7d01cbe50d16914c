-- Money recovered for a consumer (issue 14 reports): the amount the handler records when a
-- settlement is confirmed carried out (`record_performance` with `performed: true`). One row per
-- confirmation; a case settled again after a missed performance can have two.
CREATE TABLE case_recoveries (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    amount_vnd   BIGINT NOT NULL CHECK (amount_vnd > 0),
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_recoveries_case ON case_recoveries (case_id);
