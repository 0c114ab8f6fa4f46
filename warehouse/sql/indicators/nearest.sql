-- Nearest facility of each (point, service type, mode).
SELECT origin_id, service_type, "mode", "rank", minutes, distance_m, crow_m
FROM travel_times WHERE "rank" = 1
