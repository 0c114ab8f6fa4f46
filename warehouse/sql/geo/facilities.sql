-- Facilities with their metric coordinates and land mass, by service type then id.
SELECT facility_id, service_type, x, y, epsg, land_mass
FROM facilities
ORDER BY service_type, facility_id
