-- (Re)create ess_by_sector from the registered frame _ess_sectors.
CREATE OR REPLACE TABLE ess_by_sector AS
SELECT "level"::VARCHAR AS "level", code::VARCHAR AS code, naf_section::VARCHAR AS naf_section,
       label::VARCHAR AS label, establishments::DOUBLE AS establishments,
       jobs_estimate::DOUBLE AS jobs_estimate, secret::BOOLEAN AS secret
FROM _ess_sectors
