-- Drop the source-role table used while stacking sources (build internals).
DROP TABLE IF EXISTS stg_roles;
