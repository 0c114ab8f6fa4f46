-- Whether meta has the sample column (older builds do not).
SELECT count(*) FROM information_schema.columns
WHERE table_name = 'meta' AND column_name = 'sample'
