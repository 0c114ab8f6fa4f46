-- Columns of one table (the name is a bound value).
SELECT column_name FROM information_schema.columns WHERE table_name = $name
