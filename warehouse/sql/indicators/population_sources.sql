-- Catalogue names of the commune population sources.
SELECT DISTINCT population_source FROM territories
WHERE level = 'commune' AND population_source IS NOT NULL ORDER BY 1
