DROP TABLE case_reporters;
