-- Foundation schema (PostgreSQL). Keep in step with migrations/sqlite: same tables, same columns,
-- portable types only (TEXT ids, naive-UTC TIMESTAMP, BIGINT money, BOOLEAN).
CREATE TABLE agencies (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE categories (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    dispute_lead    TEXT NOT NULL REFERENCES agencies(code),
    violation_lead  TEXT NOT NULL REFERENCES agencies(code)
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    agency_code    TEXT REFERENCES agencies(code),
    password_hash  TEXT NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE cases (
    id                    TEXT PRIMARY KEY,
    tracking_code         TEXT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL,
    category              TEXT NOT NULL REFERENCES categories(code),
    channel               TEXT NOT NULL,
    status                TEXT NOT NULL,
    outcome               TEXT,
    return_status         TEXT,
    priority              BOOLEAN NOT NULL,
    description           TEXT NOT NULL,
    consumer_request      TEXT,
    amount_vnd            BIGINT,
    transaction_date      DATE,
    consumer_name         TEXT NOT NULL,
    consumer_phone        TEXT NOT NULL,
    consumer_phone_last4  TEXT NOT NULL,
    consumer_email        TEXT,
    consumer_address      TEXT,
    consumer_commune      TEXT,
    consumer_province     TEXT,
    vulnerable            TEXT NOT NULL,
    consent_at            TIMESTAMP,
    business_name         TEXT,
    business_tax_code     TEXT,
    business_address      TEXT,
    business_website      TEXT,
    business_shop_link    TEXT,
    current_agency        TEXT REFERENCES agencies(code),
    pending_transfer_to   TEXT REFERENCES agencies(code),
    assignee_id           TEXT REFERENCES users(id),
    mediator_id           TEXT REFERENCES users(id),
    call_id               TEXT,
    suggestion            TEXT NOT NULL,
    search_text           TEXT NOT NULL,
    business_key          TEXT,
    possible_duplicate_of TEXT,
    due_at                TIMESTAMP,
    version               INTEGER NOT NULL,
    created_by            TEXT REFERENCES users(id),
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    closed_at             TIMESTAMP
);
CREATE INDEX cases_created_idx ON cases (created_at DESC, id DESC);
CREATE INDEX cases_priority_created_idx ON cases (priority DESC, created_at DESC, id DESC);
CREATE INDEX cases_duplicate_idx ON cases (consumer_phone, business_key, created_at);
CREATE INDEX cases_business_idx ON cases (business_key, created_at);
CREATE INDEX cases_due_idx ON cases (due_at, id);
CREATE INDEX cases_agency_created_idx ON cases (current_agency, created_at DESC, id DESC);
CREATE INDEX cases_status_idx ON cases (status);
CREATE INDEX cases_mediator_idx ON cases (mediator_id);

-- Every agency a case was ever routed to (or offered by transfer): the isolation rule reads this.
CREATE TABLE case_agencies (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    agency_code  TEXT NOT NULL REFERENCES agencies(code),
    PRIMARY KEY (case_id, agency_code)
);
CREATE INDEX case_agencies_agency_idx ON case_agencies (agency_code, case_id);

-- What the router suggested and what people decided (route, reclassify, accepted transfer).
CREATE TABLE routing_corrections (
    id                  TEXT PRIMARY KEY,
    case_id             TEXT NOT NULL REFERENCES cases(id),
    at                  TIMESTAMP NOT NULL,
    actor_id            TEXT,
    source              TEXT NOT NULL,
    text                TEXT NOT NULL,
    suggested_kind      TEXT NOT NULL,
    suggested_category  TEXT NOT NULL,
    suggested_agency    TEXT,
    final_kind          TEXT NOT NULL,
    final_category      TEXT NOT NULL,
    final_agency        TEXT
);
CREATE INDEX routing_corrections_at_idx ON routing_corrections (at);

-- Append-only, hash-chained history of each case.
CREATE TABLE case_events (
    case_id         TEXT NOT NULL REFERENCES cases(id),
    seq             INTEGER NOT NULL,
    at              TIMESTAMP NOT NULL,
    actor_id        TEXT,
    actor_role      TEXT NOT NULL,
    action          TEXT NOT NULL,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    data            TEXT NOT NULL,
    public_message  TEXT,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE calls (
    id           TEXT PRIMARY KEY,
    agency_code  TEXT NOT NULL REFERENCES agencies(code),
    operator_id  TEXT NOT NULL REFERENCES users(id),
    caller_phone TEXT NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    ended_at     TIMESTAMP,
    category     TEXT REFERENCES categories(code),
    outcome      TEXT NOT NULL,
    note         TEXT,
    case_id      TEXT REFERENCES cases(id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX calls_agency_started_idx ON calls (agency_code, started_at DESC, id DESC);

CREATE TABLE evidence (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX evidence_case_idx ON evidence (case_id);

CREATE TABLE idempotency_keys (
    key           TEXT PRIMARY KEY,
    request_hash  TEXT NOT NULL,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    created_at    TIMESTAMP NOT NULL
);

-- Free-text search: search_text holds the normalised words (diacritics and case folded) of the
-- description, request, business, tax code, tracking code, phone and name; a trigram GIN index
-- serves `search_text LIKE '%word%'`. pg_trgm is a trusted extension (PostgreSQL 13+): the
-- database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_search_trgm_idx ON cases USING gin (search_text gin_trgm_ops);
