-- Every stored indicator of one territory with its standing (as portrait_values.sql),
-- read from indicator_standings (built last, ordered by level and code).
SELECT indicator_id, value, secret, numerator, denominator, note,
       coalesce(n_ranked, 0), coalesce(n_above, 0), coalesce(n_below, 0)
FROM indicator_standings
WHERE level = $level AND code = $code
