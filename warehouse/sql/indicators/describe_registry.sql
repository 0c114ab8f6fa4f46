-- Indicators with their count of values (territoires indicators --list).
SELECT i.id, i.theme, i.label, i.unit, i.sources, i.vintage,
       count(v."value") AS n_values, count(v.code) AS n_rows
FROM indicators i LEFT JOIN indicator_values v ON v.indicator_id = i.id
GROUP BY ALL ORDER BY i.theme, i.id
