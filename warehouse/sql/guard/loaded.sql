-- Datasets of the load log (meta) that were loaded, with their rows and whether they
-- came from the embedded sample, in name order.
SELECT dataset, rows, sample FROM meta WHERE status = 'chargée' ORDER BY dataset
