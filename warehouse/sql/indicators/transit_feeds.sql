-- Loaded timetables (GTFS feeds) and the territory of their network, by name.
SELECT dataset, coverage FROM meta
WHERE role = 'timetable' AND status = 'chargée'
ORDER BY dataset
