-- Every stored indicator of one territory, with its standing among the territories of
-- its level: how many valued territories have a higher value, a lower one, and how many
-- are valued at all (secret and missing values are never ranked). The note only for a
-- value missing without being secret. One scan of the level instead of one per
-- indicator: a national commune portrait reads 8 M values once.
WITH me AS (
    SELECT indicator_id, value, coalesce(secret, false) AS secret, numerator, denominator,
           CASE WHEN value IS NULL AND NOT coalesce(secret, false) THEN note END AS note
    FROM indicator_values
    WHERE level = $level AND code = $code
),
valued AS (
    SELECT v.indicator_id, v.value
    FROM indicator_values v
    WHERE v.level = $level AND v.code IN (SELECT code FROM territories WHERE level = $level) AND v.value IS NOT NULL AND isfinite(v.value)
      AND NOT coalesce(v.secret, false)
),
standing AS (
    SELECT valued.indicator_id,
           count(*) AS n_ranked,
           count(*) FILTER (WHERE valued.value > me.value) AS n_above,
           count(*) FILTER (WHERE valued.value < me.value) AS n_below
    FROM valued LEFT JOIN me USING (indicator_id)
    GROUP BY valued.indicator_id
)
SELECT coalesce(me.indicator_id, s.indicator_id), me.value, coalesce(me.secret, false),
       me.numerator, me.denominator, me.note,
       coalesce(s.n_ranked, 0), coalesce(s.n_above, 0), coalesce(s.n_below, 0)
FROM me FULL JOIN standing s USING (indicator_id)
