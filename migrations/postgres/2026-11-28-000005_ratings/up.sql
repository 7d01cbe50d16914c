-- The consumer's rating of a closed case (service::cases::public, through the private link):
-- one per case, within 30 days of closure; "not resolved" also reopens the case.
CREATE TABLE case_ratings (
    case_id   TEXT PRIMARY KEY REFERENCES cases(id),
    score     INTEGER NOT NULL,
    resolved  BOOLEAN NOT NULL,
    comment   TEXT,
    rated_at  TIMESTAMP NOT NULL
);
