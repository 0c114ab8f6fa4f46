-- The travel-time method(s) of travel_times.
SELECT DISTINCT method FROM travel_times
