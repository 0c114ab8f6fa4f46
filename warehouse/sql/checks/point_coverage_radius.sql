-- Offending rows: search radii missing, negative or NaN, or with an unknown reason.
SELECT origin_id, service_type FROM point_coverage
WHERE radius_m IS NULL OR radius_m < 0 OR isnan(radius_m)
   OR reason NOT IN ('limite_zone', 'couverture_partielle', 'hors_couverture')
