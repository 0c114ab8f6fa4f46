-- Facilities repaired (swapped lat/lon) and refused (far from their commune), per source.
SELECT source, 'coordonnées inversées corrigées', count(*) FROM facilities_repaired
GROUP BY source
UNION ALL
SELECT source, 'point loin de sa commune, écarté (facilities_unlocated)', count(*)
FROM facilities_unlocated WHERE reason LIKE 'point à %'
GROUP BY source
ORDER BY 1, 2

