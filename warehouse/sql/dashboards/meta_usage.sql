-- Which dataset feeds which part of the warehouse.
SELECT usage, dataset FROM meta_usage ORDER BY usage
