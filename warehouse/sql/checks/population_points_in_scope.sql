-- Offending rows: population points outside the communes or without geometry, and
-- communes without geometry not listed in population_unlocated.
SELECT point_id FROM population_points
WHERE commune_code NOT IN (SELECT code FROM territories WHERE level = 'commune')
   OR geom IS NULL
UNION ALL
SELECT code FROM territories
WHERE level = 'commune' AND geom IS NULL
  AND code NOT IN (SELECT commune_code FROM population_unlocated)
