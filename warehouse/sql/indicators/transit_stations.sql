-- Passenger stations (service type $station) with their metric point.
SELECT x, y, epsg FROM facilities WHERE service_type = $station
