-- Offending rows: facilities without service type or without source.
SELECT facility_id FROM facilities WHERE service_type IS NULL OR source IS NULL
