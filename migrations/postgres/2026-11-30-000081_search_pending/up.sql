-- SQLite only (its FTS5 index takes new cases once per commit, ADR 0044). PostgreSQL's
-- tsvector is a generated column of the case row: nothing to do. Kept so both backends list the
-- same migration versions.
SELECT 1;
