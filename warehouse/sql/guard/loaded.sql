-- Datasets of the load log (meta) that were loaded, in name order.
SELECT dataset FROM meta WHERE status = 'chargée' ORDER BY dataset
