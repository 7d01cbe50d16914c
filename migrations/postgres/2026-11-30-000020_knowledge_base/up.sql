-- The knowledge base (issue 13 item 7, ADR 0034): articles of advice for consumers, edited by
-- supervisors and coordinators, read by all staff while on a call, published for citizens.
-- `question_key` and `search_key` are the question and the whole article folded (lowercase, no
-- diacritics, `đ` -> `d`, punctuation -> spaces) and padded with a space on each side, so a
-- word is found with LIKE '% word %' on both backends. `version` starts at 1 and grows with
-- every edit; each edit first copies the article as it was into `kb_revisions`.
CREATE TABLE kb_articles (
    id            TEXT PRIMARY KEY,
    question      TEXT NOT NULL,
    answer        TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    category      TEXT NOT NULL REFERENCES categories(code),
    status        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    question_key  TEXT NOT NULL,
    search_key    TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    updated_by    TEXT NOT NULL REFERENCES users(id),
    updated_at    TIMESTAMP NOT NULL,
    published_at  TIMESTAMP
);
CREATE INDEX kb_articles_status_idx ON kb_articles (status, category);

-- One row per edit: the full content the article had before it (its `version`), who changed
-- it and when.
CREATE TABLE kb_revisions (
    id           TEXT PRIMARY KEY,
    article_id   TEXT NOT NULL REFERENCES kb_articles(id),
    version      INTEGER NOT NULL,
    question     TEXT NOT NULL,
    answer       TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    category     TEXT NOT NULL,
    status       TEXT NOT NULL,
    edited_by    TEXT NOT NULL REFERENCES users(id),
    edited_at    TIMESTAMP NOT NULL,
    UNIQUE (article_id, version)
);

-- The article an operator used to advise the caller (outcome `advised`); counted per article.
ALTER TABLE calls ADD COLUMN kb_article_id TEXT REFERENCES kb_articles(id);
CREATE INDEX calls_kb_article_idx ON calls (kb_article_id) WHERE kb_article_id IS NOT NULL;
