-- Who filed a web complaint, when it was not a consumer for themself (issue 11): a business or
-- an organisation may file; and a violation report (tố giác) whose reporter's identity is kept
-- from the business and every public page. No row: a consumer, identity not protected.
CREATE TABLE case_reporters (
    case_id             TEXT PRIMARY KEY REFERENCES cases(id),
    reporter_type       TEXT NOT NULL,
    identity_protected  BOOLEAN NOT NULL
);
