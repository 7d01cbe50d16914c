-- SQLite only (its search index takes the agencies that may read a case, ADR 0057). PostgreSQL
-- has indexed them with the words since migration 000072. Kept so both backends list the same
-- migration versions.
SELECT 1;
