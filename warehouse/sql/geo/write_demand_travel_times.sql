-- (Re)create demand_travel_times from integer engine rows plus lookup frames (_tt_*).
CREATE OR REPLACE TABLE demand_travel_times AS
SELECT o.origin_id::VARCHAR AS origin_id,
       t.service_type::VARCHAR AS service_type,
       v.minutes::REAL AS minutes,
       f.facility_id::VARCHAR AS facility_id
FROM _tt_rows v
JOIN _tt_origins o ON o.k = v.origin_id
JOIN _tt_types t ON t.k = v.service_type
JOIN _tt_facilities f ON f.k = v.facility_id
