-- The notes (why a value is blank) of the cells of export_values.
WITH places AS (SELECT unnest($codes) AS code, unnest(range(len($codes))) AS i)
SELECT p.i, list_position($ids, v.indicator_id) - 1 AS j, v.note
FROM indicator_values v JOIN places p ON p.code = v.code
WHERE v.level = $level AND list_contains($ids, v.indicator_id) AND v.note IS NOT NULL
