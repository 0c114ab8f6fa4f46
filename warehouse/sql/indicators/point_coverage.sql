-- Search limits of the (point, service type) pairs (geo/coverage.py); absent = none.
SELECT origin_id, service_type, radius_m, reason, sources FROM point_coverage
