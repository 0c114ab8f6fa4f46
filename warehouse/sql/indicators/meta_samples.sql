-- Sources loaded from the embedded real sample.
SELECT dataset, origin FROM meta WHERE sample ORDER BY dataset
