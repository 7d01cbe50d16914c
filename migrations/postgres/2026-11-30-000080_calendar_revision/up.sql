-- A revision renewed (a random value) with every change of the working-day calendar (db::calendar's insert,
-- update and delete, in the same transaction), so a service instance can keep the calendar
-- it read and know, with one single-row read, whether it is still the database's (ADR 0044).
CREATE TABLE calendar_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO calendar_revision (id, revision) VALUES (1, 0);
