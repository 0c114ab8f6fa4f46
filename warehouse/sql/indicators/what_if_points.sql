-- Points of one territory and their nearest facility of one type (what-if).
SELECT p.point_id, p.commune_code, p.population, p.x, p.y, p.epsg, p.land_mass,
       p.density_level, tt.minutes, tt.facility_id
FROM population_points p
JOIN territories c ON c.level = 'commune' AND c.code = p.commune_code
LEFT JOIN travel_times tt
       ON tt.origin_id = p.point_id AND tt.service_type = $service_type
      AND tt."mode" = $mode AND tt."rank" = 1
WHERE CASE $level WHEN 'commune' THEN c.code WHEN 'epci' THEN c.epci_code
                  WHEN 'departement' THEN c.dep_code WHEN 'region' THEN c.reg_code END = $code
ORDER BY p.point_id
