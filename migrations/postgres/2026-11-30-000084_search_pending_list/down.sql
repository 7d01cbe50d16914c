ALTER INDEX cases_search_idx SET (fastupdate = off);
ALTER INDEX cases_search_idx RESET (gin_pending_list_limit);
-- Turning fastupdate off leaves what is pending in the list: merge it now.
SELECT gin_clean_pending_list('cases_search_idx'::regclass);
