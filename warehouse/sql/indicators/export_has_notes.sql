-- Whether indicator_values has the note column (older builds do not).
SELECT count(*) FROM information_schema.columns
WHERE table_name = 'indicator_values' AND column_name = 'note'
