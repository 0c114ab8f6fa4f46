-- Replace one theme's rows of indicators / indicator_values (the ESS and fracture
-- steps): the step registers its frames as _theme_registry and _theme_values and
-- binds $theme. Runs inside the caller's transaction.
-- (a table written before `note` existed gets it: the theme's blanks say why)
ALTER TABLE indicator_values ADD COLUMN IF NOT EXISTS note VARCHAR;
DELETE FROM indicator_values
WHERE indicator_id IN (SELECT id FROM indicators WHERE theme = $theme);
DELETE FROM indicators WHERE theme = $theme;
-- (the table's column types apply: the frame has exactly the table's columns)
INSERT INTO indicators BY NAME
SELECT * FROM _theme_registry WHERE theme = $theme;
-- a blank value of a territory only partly built says so ($incomplete_note)
INSERT INTO indicator_values BY NAME
SELECT v.indicator_id::VARCHAR AS indicator_id, v."level"::VARCHAR AS "level",
       v.code::VARCHAR AS code, v."value"::DOUBLE AS "value", v.secret::BOOLEAN AS secret,
       v.numerator::DOUBLE AS numerator, v.denominator::DOUBLE AS denominator,
       CASE WHEN v."value" IS NULL AND NOT coalesce(v.secret::BOOLEAN, false)
                 AND NOT coalesce(t.complete, true)
            THEN $incomplete_note END AS note
FROM _theme_values v
LEFT JOIN territories t ON t.level = v."level"::VARCHAR AND t.code = v.code::VARCHAR;
