DROP TABLE calendar_feeds;
DROP TABLE mediation_sessions;
DROP TABLE mediators;
