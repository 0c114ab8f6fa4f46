-- The indicators' fields written in the export's metadata.
SELECT id, theme, label, coalesce(unit, '') AS unit, coalesce(definition, '') AS definition,
       coalesce(formula, '') AS formula, coalesce(sources, '') AS sources,
       coalesce(vintage, '') AS vintage, coalesce(decimals, 1) AS decimals
FROM indicators ORDER BY rowid
