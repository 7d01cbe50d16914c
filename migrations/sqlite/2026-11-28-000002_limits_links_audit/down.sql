ALTER TABLE users DROP COLUMN must_change_password;
DROP INDEX sessions_expires_idx;
DROP TABLE audit_log;
DROP TABLE access_links;
DROP TABLE rate_limits;
