-- South, west, north, east of one territory's display geometry.
SELECT ST_YMin(g), ST_XMin(g), ST_YMax(g), ST_XMax(g)
FROM (SELECT ST_Extent(geom_display) AS g FROM territories WHERE level = $level AND code = $code)
