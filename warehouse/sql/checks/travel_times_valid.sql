-- Offending rows: travel times missing, NaN or negative (or negative distances).
SELECT origin_id FROM travel_times
WHERE minutes IS NULL OR isnan(minutes) OR minutes < 0 OR distance_m < 0
