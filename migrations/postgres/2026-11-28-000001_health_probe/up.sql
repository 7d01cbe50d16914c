-- One row rewritten by /readyz after a storage fault, to learn whether writes work again.
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
