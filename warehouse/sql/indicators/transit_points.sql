-- Public transport reached on foot from each population point (transit step).
SELECT point_id, covered, frequent_500m, departures_10min, isolated, feeds
FROM transit_points
