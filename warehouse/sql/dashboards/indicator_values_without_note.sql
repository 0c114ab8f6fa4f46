-- indicator_values.sql for a warehouse built before indicator_values.note.
SELECT t.code, v.value, coalesce(v.secret, false), v.numerator, v.denominator, NULL
FROM territories t
LEFT JOIN indicator_values v
       ON v.indicator_id = $indicator_id AND v.level = t.level AND v.code = t.code
WHERE t.level = $level
ORDER BY t.code
