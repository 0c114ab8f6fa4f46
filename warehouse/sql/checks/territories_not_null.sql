-- Offending rows: territories without code or name, or aggregate levels without geometry.
SELECT level, code FROM territories
WHERE code IS NULL OR name IS NULL
   OR ((geom IS NULL OR geom_display IS NULL) AND level <> 'commune')
