-- Column names of one table (newer contract columns are read only when there).
SELECT column_name FROM information_schema.columns WHERE table_name = $table
