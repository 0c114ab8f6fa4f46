-- How the warehouse was built (key, value).
SELECT key, value FROM build_info ORDER BY key
