-- The standing of every stored value among the territories of its level, for the
-- portrait (dashboards/queries/standings.py): each row of indicator_values of a
-- territory of the build, with n_ranked (territories of the level with a value that
-- is neither missing nor secret), n_above / n_below (of them, with a strictly higher /
-- lower value; NULL when this value is not ranked). Ordered by level and code: a
-- portrait reads one territory's rows without scanning the table (zone maps).
-- Written last (indicators/standings_step.py), after every theme's values.
CREATE OR REPLACE TABLE indicator_standings AS
WITH built AS (
    SELECT v.indicator_id, v.level, v.code, v.value, coalesce(v.secret, false) AS secret,
           v.numerator, v.denominator, v.note,
           v.value IS NOT NULL AND isfinite(v.value) AND NOT coalesce(v.secret, false)
               AS ranked
    FROM indicator_values v
    JOIN territories t ON t.level = v.level AND t.code = v.code
),
ranks AS (
    SELECT indicator_id, level, code,
           rank() OVER (PARTITION BY indicator_id, level ORDER BY value DESC) - 1 AS n_above,
           rank() OVER (PARTITION BY indicator_id, level ORDER BY value ASC) - 1 AS n_below
    FROM built WHERE ranked
),
counts AS (
    SELECT indicator_id, level, count(*) FILTER (WHERE ranked) AS n_ranked
    FROM built GROUP BY indicator_id, level
)
SELECT b.indicator_id, b.level, b.code, b.value, b.secret, b.numerator, b.denominator,
       CASE WHEN b.value IS NULL AND NOT b.secret THEN b.note END AS note,
       c.n_ranked::INTEGER AS n_ranked, r.n_above::INTEGER AS n_above,
       r.n_below::INTEGER AS n_below
FROM built b
JOIN counts c USING (indicator_id, level)
LEFT JOIN ranks r USING (indicator_id, level, code)
ORDER BY b.level, b.code, b.indicator_id
