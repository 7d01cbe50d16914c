-- API tokens for other systems (service::api_tokens): each acts as a service account (a user
-- row of role operator at one agency, which cannot sign in) limited to a set of scopes.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id),
    name          TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_by    TEXT REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP
);

-- Optional TOTP (RFC 6238) for supervisors, coordinators and administrators (service::totp):
-- the confirmed secret, one being set up, and the last time step used (no code twice).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
