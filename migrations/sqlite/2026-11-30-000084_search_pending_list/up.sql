-- PostgreSQL only (its GIN search index takes new cases through a small pending list, ADR
-- 0053). Kept so both backends list the same migration versions.
SELECT 1;
