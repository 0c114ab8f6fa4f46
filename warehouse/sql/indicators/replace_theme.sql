-- Replace one theme's rows of indicators / indicator_values (the ESS and fracture
-- steps): the step registers its frames as _theme_registry and _theme_values and
-- binds $theme. Runs inside the caller's transaction.
DELETE FROM indicator_values
WHERE indicator_id IN (SELECT id FROM indicators WHERE theme = $theme);
DELETE FROM indicators WHERE theme = $theme;
INSERT INTO indicators BY NAME
SELECT id::VARCHAR AS id, theme::VARCHAR AS theme, label::VARCHAR AS label,
       unit::VARCHAR AS unit, definition::VARCHAR AS definition,
       formula::VARCHAR AS formula, sources::VARCHAR AS sources,
       vintage::VARCHAR AS vintage, higher_is_better::BOOLEAN AS higher_is_better,
       decimals::INTEGER AS decimals, service_type::VARCHAR AS service_type,
       "mode"::VARCHAR AS "mode", threshold_min::DOUBLE AS threshold_min,
       target_max::DOUBLE AS target_max, kind::VARCHAR AS kind, scope::VARCHAR AS scope,
       binding_level::VARCHAR AS binding_level,
       base_indicator_id::VARCHAR AS base_indicator_id,
       density_class::VARCHAR AS density_class
FROM _theme_registry
WHERE theme = $theme;
INSERT INTO indicator_values BY NAME
SELECT indicator_id::VARCHAR AS indicator_id, "level"::VARCHAR AS "level",
       code::VARCHAR AS code, "value"::DOUBLE AS "value", secret::BOOLEAN AS secret,
       numerator::DOUBLE AS numerator, denominator::DOUBLE AS denominator
FROM _theme_values;
