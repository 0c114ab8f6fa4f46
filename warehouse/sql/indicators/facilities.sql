-- Facilities and their commune.
SELECT facility_id, service_type, commune_code FROM facilities
