DROP TABLE case_ratings;
