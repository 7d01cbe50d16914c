DROP INDEX calls_kb_article_idx;
ALTER TABLE calls DROP COLUMN kb_article_id;
DROP TABLE kb_revisions;
DROP TABLE kb_articles;
