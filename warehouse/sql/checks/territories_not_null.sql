-- Offending rows: territories without code or name, or aggregate levels without
-- geometry (France has none: its parts lie in different metric CRSs).
SELECT level, code FROM territories
WHERE code IS NULL OR name IS NULL
   OR ((geom IS NULL OR geom_display IS NULL) AND level NOT IN ('commune', 'france'))
