DROP TABLE business_shared_evidence;
DROP INDEX cases_business_tax_code_idx;
DROP TABLE business_case_links;
DROP TABLE businesses;
