-- How population is placed: ``carreau_200m`` when the points are grid cells, else
-- ``mairie`` (one point per commune: town hall, or a point inside the commune), and
-- how many communes of the territory hold exactly one population point.
WITH per_commune AS (
    SELECT c.code, count(p.point_id) AS n_points,
           count(*) FILTER (WHERE p.kind = 'carreau_200m') AS n_cells
    FROM territories c LEFT JOIN population_points p ON p.commune_code = c.code
    WHERE c.level = 'commune'
    GROUP BY c.code
)
SELECT CASE WHEN sum(n_cells) > 0 THEN 'carreau_200m' ELSE 'mairie' END,
       count(*) FILTER (WHERE n_points = 1)
FROM per_commune
