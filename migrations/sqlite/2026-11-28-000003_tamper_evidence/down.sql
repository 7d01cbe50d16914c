ALTER TABLE case_agencies DROP COLUMN provisional;
ALTER TABLE health_probe DROP COLUMN ballast;
DROP TRIGGER cases_head_follows_events;
DROP TRIGGER case_events_no_delete;
DROP TRIGGER case_events_no_update;
ALTER TABLE cases DROP COLUMN head_hash;
ALTER TABLE cases DROP COLUMN event_count;
ALTER TABLE case_events DROP COLUMN state_hash;
ALTER TABLE case_events DROP COLUMN alg;
