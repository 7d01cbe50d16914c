DROP TABLE public_warnings;
DROP TABLE public_violators;
