-- The indicator registry; every column, so that the reader takes the newer contract
-- columns (target_max, kind, scope, ...) only when the warehouse has them.
SELECT * FROM indicators ORDER BY theme, id
