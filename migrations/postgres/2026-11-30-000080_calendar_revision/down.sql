DROP TABLE calendar_revision;
