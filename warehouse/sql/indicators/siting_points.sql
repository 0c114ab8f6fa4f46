-- Points of one territory for siting: their commune and EPCI, the stored nearest
-- facility of one type and mode, and the radius within which every facility of the
-- type is known (point_coverage; NULL = no limit).
SELECT p.point_id, p.commune_code, c.name AS commune_name, c.epci_code,
       e.name AS epci_name, p.kind, p.population, p.lon, p.lat, p.x, p.y, p.epsg, p.land_mass,
       p.density_level,
       tt.minutes, tt.facility_id, pc.radius_m, pc.reason AS radius_reason
FROM population_points p
JOIN territories c ON c.level = 'commune' AND c.code = p.commune_code
LEFT JOIN territories e ON e.level = 'epci' AND e.code = c.epci_code
LEFT JOIN travel_times tt
       ON tt.origin_id = p.point_id AND tt.service_type = $service_type
      AND tt."mode" = $mode AND tt."rank" = 1
LEFT JOIN point_coverage pc
       ON pc.origin_id = p.point_id AND pc.service_type = $service_type
WHERE CASE $level WHEN 'commune' THEN c.code WHEN 'epci' THEN c.epci_code
                  WHEN 'departement' THEN c.dep_code WHEN 'region' THEN c.reg_code
                  WHEN 'france' THEN $code END = $code
ORDER BY p.point_id
