-- What a complaint is about (a product or a service), as the consumer or the operator named it,
-- and the key that groups complaints naming the same one (early warning's product dimension,
-- the case list's `product_key`; ADR 0066). Both NULL on the cases opened before.
ALTER TABLE cases ADD COLUMN product TEXT;
ALTER TABLE cases ADD COLUMN product_key TEXT;
-- A signal's complaints are listed by key and week; most complaints name no product, so the
-- index keeps only the rows that do.
CREATE INDEX cases_product_key_idx ON cases (product_key, created_at) WHERE product_key IS NOT NULL;
