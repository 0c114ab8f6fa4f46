-- Offending rows: trips to a facility on another land mass (across the sea).
SELECT t.origin_id, t.facility_id FROM travel_times t
JOIN population_points p ON p.point_id = t.origin_id
JOIN facilities f ON f.facility_id = t.facility_id
WHERE p.land_mass IS DISTINCT FROM f.land_mass
