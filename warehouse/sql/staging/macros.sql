-- Metric CRS per département (Lambert-93 in mainland France, local UTM overseas):
-- mirrors etl/codes.py METRIC_EPSG_BY_DEP.
CREATE OR REPLACE MACRO metric_epsg(dep) AS
    CASE dep WHEN '971' THEN 5490 WHEN '972' THEN 5490 WHEN '973' THEN 2972
             WHEN '974' THEN 2975 WHEN '976' THEN 4471 ELSE 2154 END;
CREATE OR REPLACE MACRO dep_of(commune_code) AS
    CASE WHEN commune_code LIKE '97%' THEN left(commune_code, 3) ELSE left(commune_code, 2) END;
CREATE OR REPLACE MACRO to_metric(geom, epsg) AS
    ST_Transform(geom, 'EPSG:4326', 'EPSG:' || epsg::VARCHAR, always_xy := true);
