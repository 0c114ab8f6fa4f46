-- Facilities of one service type (what-if).
SELECT facility_id, service_type, x, y, epsg, land_mass FROM facilities
WHERE service_type = $service_type ORDER BY facility_id
