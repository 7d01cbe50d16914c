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
