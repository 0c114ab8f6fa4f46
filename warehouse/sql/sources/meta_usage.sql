-- Which dataset feeds which part of the warehouse (every column of meta_usage).
SELECT * FROM meta_usage
