-- Per count source: the facilities placed at the town halls, and the counted types
-- left unused (no row of etl/service_types.csv takes them from that source).
SELECT source, 'placés au chef-lieu' AS what, count(DISTINCT service_type) AS n_types,
       count(*) AS n
FROM stg_facilities_counted GROUP BY source
UNION ALL
SELECT source, 'types non utilisés (facility_counts_unused)', count(*), sum(n_facilities)
FROM facility_counts_unused GROUP BY source
ORDER BY source, what
