-- Stops of the loaded timetables: regular departures on the feed's reference weekday
-- (school and on-demand lines apart), one row per (feed, stop).
SELECT feed, stop_id, coalesce(first(stop_name), ''), round(first(lon), 5),
       round(first(lat), 5), CAST(sum(departures) FILTER (WHERE regular) AS BIGINT),
       CAST(coalesce(sum(departures) FILTER (WHERE NOT regular), 0) AS BIGINT),
       strftime(first(reference_day), '%d/%m/%Y')
FROM transit_stops
GROUP BY feed, stop_id
ORDER BY feed, stop_id
