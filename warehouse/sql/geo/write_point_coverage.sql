-- (Re)create point_coverage from the frame _point_coverage_frame.
CREATE OR REPLACE TABLE point_coverage AS
SELECT origin_id::VARCHAR AS origin_id, service_type::VARCHAR AS service_type,
       radius_m::DOUBLE AS radius_m, reason::VARCHAR AS reason, sources::VARCHAR AS sources
FROM _point_coverage_frame
