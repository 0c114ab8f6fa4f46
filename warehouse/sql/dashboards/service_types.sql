-- Service types of the loaded facility sources, by label.
SELECT code, slug, label, coalesce(n_facilities, 0), coalesce(n_in_territory, 0),
       coalesce(sources, '')
FROM service_types
ORDER BY label
