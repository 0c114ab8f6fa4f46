-- Facilities reachable from each point in the catchment mode: 2SFCA supply side.
SELECT origin_id, service_type, facility_id, minutes
FROM travel_times
WHERE "mode" = $mode AND list_contains($types, service_type)
