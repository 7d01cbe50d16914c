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

CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only';
END;
$$;

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

CREATE FUNCTION cases_head_follows_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.head_hash IS DISTINCT FROM
       (SELECT e.hash FROM case_events e WHERE e.case_id = NEW.id AND e.seq = NEW.event_count) THEN
        RAISE EXCEPTION 'the head of a case history must be its last event';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER cases_head_follows_events BEFORE UPDATE OF event_count, head_hash ON cases
    FOR EACH ROW
    WHEN (NEW.head_hash IS DISTINCT FROM OLD.head_hash OR NEW.event_count IS DISTINCT FROM OLD.event_count)
    EXECUTE FUNCTION cases_head_follows_events();

-- Readiness probe ballast (portability::write_probe): a probe as large as a real write.
ALTER TABLE health_probe ADD COLUMN ballast BYTEA;

-- Read access given only by a pending transfer: taken back when the transfer is declined.
ALTER TABLE case_agencies ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;
