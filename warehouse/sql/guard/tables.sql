-- Names of the tables and views of the warehouse.
SELECT table_name FROM information_schema.tables
