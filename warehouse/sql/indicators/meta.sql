-- Vintage of each loaded dataset (table meta).
SELECT dataset, vintage, status FROM meta
