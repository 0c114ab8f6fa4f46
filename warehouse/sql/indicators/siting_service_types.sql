-- The service types of the build: code, slug and label (siting resolves the one
-- asked for, by code or slug).
SELECT code, slug, label FROM service_types ORDER BY code
