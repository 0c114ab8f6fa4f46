-- Facilities of one service type for siting and criticality (buffer included), with
-- what names them: label, commune and its name, WGS84 position.
SELECT f.facility_id, f.service_type, f.label, f.commune_code, c.name AS commune_name,
       f.lon, f.lat, f.x, f.y, f.epsg, f.land_mass, f.in_territory
FROM facilities f
LEFT JOIN territories c ON c.level = 'commune' AND c.code = f.commune_code
WHERE f.service_type = $service_type
ORDER BY f.facility_id
