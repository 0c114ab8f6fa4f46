-- Facility types labelled neither by the service-type table nor by a loaded BPE
-- nomenclature, with the sources producing them.
SELECT source, string_agg(DISTINCT service_type, ', ' ORDER BY service_type)
FROM stg_facilities_raw
WHERE service_type IS NOT NULL
  AND service_type NOT IN (SELECT service_type FROM stg_service_labels)
GROUP BY source ORDER BY source
