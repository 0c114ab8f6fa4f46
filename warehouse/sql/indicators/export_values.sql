-- Values as positions: i = position of the territory in $codes (the rows of
-- export_territories, in order), j = position of the indicator in $ids (0-based).
WITH places AS (SELECT unnest($codes) AS code, unnest(range(len($codes))) AS i)
SELECT p.i, list_position($ids, v.indicator_id) - 1 AS j, v."value",
       coalesce(v.secret, false) AS secret
FROM indicator_values v JOIN places p ON p.code = v.code
WHERE v.level = $level AND list_contains($ids, v.indicator_id)
