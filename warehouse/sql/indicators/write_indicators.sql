-- (Re)create indicators from the registered frame _indicators_frame.
CREATE OR REPLACE TABLE indicators AS
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
FROM _indicators_frame
