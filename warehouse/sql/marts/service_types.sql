-- Service types present in the facilities table, with their labels and BPE gamme.
-- imports
CREATE OR REPLACE TABLE service_types AS
WITH used AS (
        SELECT service_type, count(*) AS n_facilities,
               count(*) FILTER (WHERE in_territory) AS n_in_territory,
               string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
        FROM facilities GROUP BY service_type
     ),
     labels AS (SELECT * FROM stg_service_labels)
-- final
SELECT u.service_type AS code, lower(u.service_type) AS slug,
       coalesce(l.label, u.service_type) AS label, l.bpe_gamme, l.nomenclature,
       u.n_facilities, u.n_in_territory, u.sources
FROM used u LEFT JOIN labels l ON l.service_type = u.service_type
ORDER BY code;
DROP TABLE stg_service_labels;
