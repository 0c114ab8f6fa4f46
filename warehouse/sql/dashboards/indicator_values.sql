-- Values of one indicator for every territory of one level, ordered by code; the note
-- only for a value missing without being secret.
SELECT t.code, v.value, coalesce(v.secret, false), v.numerator, v.denominator,
       CASE WHEN v.value IS NULL AND NOT coalesce(v.secret, false) THEN v.note END
FROM territories t
LEFT JOIN indicator_values v
       ON v.indicator_id = $indicator_id AND v.level = t.level AND v.code = t.code
WHERE t.level = $level
ORDER BY t.code
