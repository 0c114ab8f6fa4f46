-- Labels and gammes of the BPE nomenclature table $raw (raw_bpe_typequ_labels or
-- raw_bpe_gammes, a name checked by the caller) added to stg_service_labels: new types
-- with their label, and the gamme of the types already listed.
INSERT INTO stg_service_labels
SELECT service_type, label, bpe_gamme, 'BPE', NULL, NULL, false FROM query_table($raw)
WHERE service_type NOT IN (SELECT service_type FROM stg_service_labels);
UPDATE stg_service_labels s SET bpe_gamme = r.bpe_gamme
FROM query_table($raw) r WHERE r.service_type = s.service_type AND r.bpe_gamme IS NOT NULL;
