-- Sources of the commune populations (and geometries when $geometry).
SELECT DISTINCT s FROM (
    SELECT population_source AS s FROM territories WHERE level = 'commune'
    UNION ALL
    SELECT geometry_source FROM territories WHERE level = 'commune' AND $geometry
) WHERE s IS NOT NULL ORDER BY 1
