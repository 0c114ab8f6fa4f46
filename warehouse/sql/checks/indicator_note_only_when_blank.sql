-- Offending rows: published values carrying a « Non disponible » note.
SELECT indicator_id, level, code FROM indicator_values
WHERE value IS NOT NULL AND note LIKE 'Non disponible%'
