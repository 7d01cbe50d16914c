-- Abuse limits shared by every instance (service::limits): one row per limited key. Keys hold
-- hashes, never a username, phone, address or e-mail in clear. Times are Unix seconds.
CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    hits          BIGINT NOT NULL,
    window_start  BIGINT NOT NULL,
    strikes       BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);

-- Links that authorize (service::links): the citizen's private link and the business's link
-- to one case, as random tokens stored hashed (sha256), revocable and expiring.
CREATE TABLE access_links (
    token_hash  TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    audience    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE INDEX access_links_case_idx ON access_links (case_id, audience);

-- Security audit: sign-ins, failures, locks, account changes (who, when, from where).
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    action      TEXT NOT NULL,
    actor_id    TEXT,
    subject     TEXT,
    client_addr TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Set by bootstrap and by an administrator's password reset: every request but changing the
-- password, /me and signing out answers 403 password_change_required until it is changed.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
