-- The catalogue role of source $name (table stg_roles written by the build).
SELECT role FROM stg_roles WHERE name = $name
