DROP INDEX cases_product_key_idx;
ALTER TABLE cases DROP COLUMN product_key;
ALTER TABLE cases DROP COLUMN product;
