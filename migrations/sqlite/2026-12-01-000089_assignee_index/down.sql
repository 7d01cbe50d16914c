DROP INDEX cases_assignee_idx;
