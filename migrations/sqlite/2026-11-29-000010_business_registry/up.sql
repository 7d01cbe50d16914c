-- The business registry (issue 12, ADR 0024): one row per business, its tax code (10 digits, or
-- 13 for a branch, check digit verified by domain::values::TaxCode::parse_verified) unique when
-- known; `name_key` is the name folded for search and match suggestions. A merged entry points
-- at the entry that absorbed it and is no longer listed.
CREATE TABLE businesses (
    id           TEXT PRIMARY KEY,
    tax_code     TEXT UNIQUE,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    address      TEXT,
    email        TEXT,
    phone        TEXT,
    merged_into  TEXT REFERENCES businesses(id),
    created_by   TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX businesses_name_key_idx ON businesses (name_key);

-- A case linked to a registry entry by staff (a confirmed name match, or a merge). A case
-- without a row here belongs to the entry whose tax code equals the case's.
CREATE TABLE business_case_links (
    case_id       TEXT PRIMARY KEY REFERENCES cases(id),
    business_id   TEXT NOT NULL REFERENCES businesses(id),
    confirmed_by  TEXT,
    confirmed_at  TIMESTAMP NOT NULL
);
CREATE INDEX business_case_links_business_idx ON business_case_links (business_id);
CREATE INDEX cases_business_tax_code_idx ON cases (business_tax_code);

-- Evidence the handler shares with the business (and what the business uploaded itself):
-- only these files are listed behind the business's link.
CREATE TABLE business_shared_evidence (
    evidence_id  TEXT PRIMARY KEY REFERENCES evidence(id),
    case_id      TEXT NOT NULL REFERENCES cases(id),
    shared_by    TEXT,
    shared_at    TIMESTAMP NOT NULL
);
CREATE INDEX business_shared_evidence_case_idx ON business_shared_evidence (case_id);
