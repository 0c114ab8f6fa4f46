-- Datasets of the load log (meta) that were loaded, in name order (a meta table without
-- row counts, from an older version).
SELECT dataset FROM meta WHERE status = 'chargée' ORDER BY dataset
