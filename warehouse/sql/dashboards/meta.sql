-- The load log, one row per catalogue source; every column, so that the reader takes
-- the newer ones (sample) only when the warehouse has them.
SELECT * FROM meta ORDER BY status DESC, role, dataset
