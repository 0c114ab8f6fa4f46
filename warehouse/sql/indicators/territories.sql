-- Every territory and whether it is completely built.
SELECT level, code, complete FROM territories ORDER BY level, code
