-- Law 19/2023 Art 63-64: the published list of mediators of each mediation body (the
-- association and its branches, or another body), a mediator's link to a staff account, the
-- sessions of a case's mediation and the mediators' calendar-feed tokens (ADR 0025).
CREATE TABLE mediators (
    id              TEXT PRIMARY KEY,
    -- The agency of the mediation body; its supervisors manage the entry.
    body_agency     TEXT NOT NULL REFERENCES agencies(code),
    -- The organisation as published (the association, one of its branches, another body).
    organisation    TEXT NOT NULL,
    name            TEXT NOT NULL,
    qualifications  TEXT NOT NULL,
    -- JSON arrays of names: languages spoken fluently, ethnic groups belonged to.
    languages       TEXT NOT NULL,
    ethnic_groups   TEXT NOT NULL,
    -- Private contact data: never on the published list.
    email           TEXT,
    phone           TEXT,
    user_id         TEXT UNIQUE REFERENCES users(id),
    active          BOOLEAN NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX mediators_body_idx ON mediators (body_agency, name);

CREATE TABLE mediation_sessions (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases(id),
    mediator_id       TEXT REFERENCES users(id),
    starts_at         TIMESTAMP NOT NULL,
    duration_minutes  INTEGER NOT NULL,
    place             TEXT,
    online_link       TEXT,
    -- JSON array of e-mail addresses invited besides the consumer and the mediator.
    attendees         TEXT NOT NULL,
    -- scheduled, held, postponed, cancelled
    status            TEXT NOT NULL,
    -- iCalendar SEQUENCE of the last invitation sent (the UID is derived from the id).
    sequence          INTEGER NOT NULL,
    minutes           TEXT,
    -- JSON array of who attended, recorded after the session.
    attendance        TEXT,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX mediation_sessions_case_idx ON mediation_sessions (case_id, starts_at);
CREATE INDEX mediation_sessions_mediator_idx ON mediation_sessions (mediator_id, starts_at);

CREATE TABLE calendar_feeds (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (user_id);
