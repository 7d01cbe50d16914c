-- The public violator list (Decree 55/2024 Art 24, ADR 0032): a sanctioned case's business and
-- decision, copied at publication so a later correction of the case does not silently change a
-- published notice; shown until `expires_at` (publication + `public.violator_notice_days`),
-- then removed by the sweep (`removed_reason` = expired) or earlier by a supervisor
-- (withdrawn). A case has at most one notice not yet removed.
CREATE TABLE public_violators (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases(id),
    agency_code      TEXT NOT NULL,
    business_name    TEXT NOT NULL,
    business_address TEXT,
    violation        TEXT NOT NULL,
    place            TEXT,
    decision_number  TEXT NOT NULL,
    decision_date    DATE NOT NULL,
    issuing_body     TEXT NOT NULL,
    published_by     TEXT NOT NULL,
    published_at     TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    removed_at       TIMESTAMP,
    removed_reason   TEXT,
    removed_by       TEXT
);
CREATE UNIQUE INDEX public_violators_one_active_idx ON public_violators (case_id) WHERE removed_at IS NULL;
CREATE INDEX public_violators_current_idx ON public_violators (removed_at, expires_at);

-- Public warnings (product, business or practice alerts): drafted, published, ended by
-- supervisors and coordinators; shown while published and start_date <= today <= end_date.
CREATE TABLE public_warnings (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    business_name  TEXT,
    product        TEXT,
    start_date     DATE NOT NULL,
    end_date       DATE NOT NULL,
    agency_code    TEXT,
    source         TEXT,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    published_at   TIMESTAMP,
    ended_at       TIMESTAMP
);
CREATE INDEX public_warnings_current_idx ON public_warnings (status, start_date, end_date);
