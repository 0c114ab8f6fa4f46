-- Tables and views of the warehouse (newer tables are read only when there).
SELECT table_name FROM information_schema.tables
