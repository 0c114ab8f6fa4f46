-- Indicators of the base themes the fracture indices are computed on.
SELECT id, label, unit, decimals, sources, vintage, higher_is_better, service_type,
       "mode", threshold_min, kind, coalesce(scope, '') AS scope, density_class
FROM indicators WHERE list_contains($themes, theme) ORDER BY id
