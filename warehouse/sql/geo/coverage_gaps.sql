-- Départements where a service type's source(s) have no data (table coverage_gaps).
SELECT service_type, dep_code, sources FROM coverage_gaps
