-- Names of the tables of the warehouse (the step checks run only when their table is there).
SELECT table_name FROM duckdb_tables()
