-- The figures computed from base tables of one territory with their standing, as
-- portrait_computed.sql, read from the build's computed_standings (ordered by level
-- and code).
SELECT kind, service_type, value, num, den, complete, n_ranked, n_above, n_below
FROM computed_standings
WHERE level = $level AND code = $code
