-- The sources of the warehouse, for the export's metadata.
SELECT dataset, coalesce(title, '') AS title, coalesce(publisher, '') AS publisher,
       coalesce(vintage, '') AS vintage, coalesce(licence, '') AS licence,
       coalesce(status, '') AS status, coalesce(url, '') AS url, coalesce(role, '') AS role
FROM meta ORDER BY dataset
