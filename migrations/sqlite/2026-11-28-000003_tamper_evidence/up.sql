-- Tamper evidence (service::events, docs/security.md):
-- * events written from now on are keyed (HMAC-SHA256, key from config, never in the database)
--   and record a digest of the case row they leave behind (`state_hash`);
-- * the case row carries the length and head of its history, which only a matching event can move;
-- * the history is append-only: UPDATE and DELETE on case_events are refused.
ALTER TABLE case_events ADD COLUMN alg TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE case_events ADD COLUMN state_hash TEXT;
ALTER TABLE cases ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN head_hash TEXT NOT NULL DEFAULT '';

UPDATE cases SET
    event_count = (SELECT COUNT(*) FROM case_events e WHERE e.case_id = cases.id),
    head_hash = COALESCE((SELECT e.hash FROM case_events e WHERE e.case_id = cases.id ORDER BY e.seq DESC LIMIT 1), '');

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

CREATE TRIGGER cases_head_follows_events BEFORE UPDATE OF event_count, head_hash ON cases
WHEN NEW.head_hash IS NOT (SELECT e.hash FROM case_events e WHERE e.case_id = NEW.id AND e.seq = NEW.event_count)
BEGIN
    SELECT RAISE(ABORT, 'the head of a case history must be its last event');
END;

-- Readiness probe ballast (portability::write_probe): a probe as large as a real write.
ALTER TABLE health_probe ADD COLUMN ballast BLOB;

-- Read access given only by a pending transfer: taken back when the transfer is declined.
ALTER TABLE case_agencies ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;
