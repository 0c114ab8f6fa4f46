-- Located facilities of the given service types (in the territory and its buffer).
SELECT f.facility_id, f.service_type, coalesce(f.label, ''), s.label,
       round(f.lon, 5), round(f.lat, 5), f.in_territory
FROM facilities f
JOIN service_types s ON s.code = f.service_type
WHERE list_contains($service_types, f.service_type) AND f.lon IS NOT NULL AND f.lat IS NOT NULL
ORDER BY f.facility_id
