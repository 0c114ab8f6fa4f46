-- Fracture indices of one territory for the given base indicators.
SELECT indicator_id, index_id, value, n_communes, population_covered, coalesce(note, '')
FROM fracture_indices
WHERE level = $level AND code = $code AND list_contains($indicator_ids, indicator_id)
ORDER BY indicator_id, index_id
