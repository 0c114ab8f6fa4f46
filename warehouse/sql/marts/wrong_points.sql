-- Facilities repaired (swapped lat/lon), refused (far from their commune) and with a
-- point inside no commune of France (no usable code either), per source.
SELECT source, 'coordonnées inversées corrigées', count(*) FROM facilities_repaired
GROUP BY source
UNION ALL
SELECT source, 'point loin de sa commune, écarté (facilities_unlocated)', count(*)
FROM facilities_unlocated WHERE reason LIKE 'point à %'
GROUP BY source
UNION ALL
SELECT source, 'point hors de toute commune de France (hors de France ou coordonnées '
               || 'erronées), écarté (facilities_unlocated)', count(*)
FROM facilities_unlocated
WHERE lon IS NOT NULL AND lat IS NOT NULL AND reason LIKE 'aucune commune %'
GROUP BY source
ORDER BY 1, 2
