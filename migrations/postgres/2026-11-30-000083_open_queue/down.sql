DROP INDEX cases_open_due_idx;
