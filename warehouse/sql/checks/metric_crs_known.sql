-- Offending rows: metric EPSG codes of facilities or territories that are not known.
SELECT DISTINCT epsg FROM facilities WHERE epsg NOT IN (2154, 5490, 2972, 2975, 4471)
UNION
SELECT DISTINCT epsg FROM territories WHERE epsg NOT IN (2154, 5490, 2972, 2975, 4471)
