-- Communes of the build sharing one postal code, by name.
SELECT p.commune_code
FROM postal_codes p
JOIN territories t ON t.level = 'commune' AND t.code = p.commune_code
WHERE p.postal_code = $postal_code
ORDER BY t.name
