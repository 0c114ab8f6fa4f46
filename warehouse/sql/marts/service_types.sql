-- Service types of the loaded facility sources, with their labels and BPE gamme, and
-- from the service-type table (etl/service_types.csv) their family, everyday-basket
-- item and capacity-limited flag (NULL, NULL, false for a code only a loaded BPE
-- nomenclature labels). A type is listed when its source is loaded, even with no
-- facility near the territory (its indicators then say "none within reach" or why they are blank), so that the
-- list of indicators does not depend on the build's extent.
-- imports
CREATE OR REPLACE TABLE service_types AS
WITH loaded AS (
        SELECT service_type, string_agg(DISTINCT source, ', ' ORDER BY source) AS sources,
               string_agg(DISTINCT source, ', ' ORDER BY source)
                   FILTER (WHERE localisation = 'chef-lieu (BPE dénombrement)')
                   AS counted_sources
        FROM stg_facilities_raw WHERE service_type IS NOT NULL GROUP BY service_type
     ),
     used AS (
        SELECT service_type, count(*) AS n_facilities,
               count(*) FILTER (WHERE in_territory) AS n_in_territory
        FROM facilities GROUP BY service_type
     ),
     labels AS (SELECT * FROM stg_service_labels)
-- final
SELECT t.service_type AS code, lower(t.service_type) AS slug,
       coalesce(l.label, t.service_type) AS label, l.bpe_gamme, l.nomenclature,
       coalesce(u.n_facilities, 0) AS n_facilities,
       coalesce(u.n_in_territory, 0) AS n_in_territory, t.sources,
       l.family, l.basket_item, coalesce(l.capacity_limited, false) AS capacity_limited,
       t.counted_sources
FROM loaded t
LEFT JOIN used u ON u.service_type = t.service_type
LEFT JOIN labels l ON l.service_type = t.service_type
ORDER BY code;
DROP TABLE stg_service_labels;
