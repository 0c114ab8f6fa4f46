-- The load log, one row per catalogue source, every column, in load order.
SELECT * FROM meta ORDER BY rowid
