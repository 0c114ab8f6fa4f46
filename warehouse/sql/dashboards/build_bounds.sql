-- South, west, north, east of the build's communes: mainland France only when the
-- build holds mainland communes (codes not starting with $overseas_prefix).
SELECT ST_YMin(g), ST_XMin(g), ST_YMax(g), ST_XMax(g)
FROM (
    SELECT ST_Extent_Agg(geom_display) AS g
    FROM territories
    WHERE level = 'commune'
      AND (NOT starts_with(code, $overseas_prefix)
           OR NOT EXISTS (SELECT 1 FROM territories
                          WHERE level = 'commune' AND NOT starts_with(code, $overseas_prefix)))
)
