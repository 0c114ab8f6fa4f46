-- Replace one theme's rows of indicators / indicator_values (the ESS and fracture
-- steps): the step registers its frames as _theme_registry and _theme_values and
-- binds $theme. Runs inside the caller's transaction.
DELETE FROM indicator_values
WHERE indicator_id IN (SELECT id FROM indicators WHERE theme = $theme);
DELETE FROM indicators WHERE theme = $theme;
-- (the table's column types apply: the frame has exactly the table's columns)
INSERT INTO indicators BY NAME
SELECT * FROM _theme_registry WHERE theme = $theme;
INSERT INTO indicator_values BY NAME
SELECT indicator_id::VARCHAR AS indicator_id, "level"::VARCHAR AS "level",
       code::VARCHAR AS code, "value"::DOUBLE AS "value", secret::BOOLEAN AS secret,
       numerator::DOUBLE AS numerator, denominator::DOUBLE AS denominator
FROM _theme_values;
