-- Whether a table of that name exists (the name is a bound value).
SELECT count(*) FROM information_schema.tables WHERE table_name = $name
