-- (Re)create travel_times from integer engine rows plus lookup frames (_tt_*).
CREATE OR REPLACE TABLE travel_times AS
SELECT o.origin_id::VARCHAR AS origin_id,
       t.service_type::VARCHAR AS service_type,
       m."mode"::VARCHAR AS "mode",
       v."rank"::SMALLINT AS "rank",
       v.minutes::REAL AS minutes,
       v.distance_m::REAL AS distance_m,
       v.crow_m::REAL AS crow_m,
       f.facility_id::VARCHAR AS facility_id,
       $method::VARCHAR AS method
FROM _tt_rows v
JOIN _tt_origins o ON o.k = v.origin_id
JOIN _tt_types t ON t.k = v.service_type
JOIN _tt_modes m ON m.k = v."mode"
JOIN _tt_facilities f ON f.k = v.facility_id
