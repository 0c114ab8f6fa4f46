-- (Re)create double_peine from the registered frame _double_peine_frame.
CREATE OR REPLACE TABLE double_peine AS
SELECT commune_code::VARCHAR AS commune_code, dep_code::VARCHAR AS dep_code,
       population::DOUBLE AS population, median_income_eur::DOUBLE AS median_income_eur,
       poverty_rate_pct::DOUBLE AS poverty_rate_pct,
       access_indicator_id::VARCHAR AS access_indicator_id, access_value::DOUBLE AS access_value,
       ref_median_income_eur::DOUBLE AS ref_median_income_eur,
       ref_poverty_rate_pct::DOUBLE AS ref_poverty_rate_pct,
       ref_access_value::DOUBLE AS ref_access_value, poorer::BOOLEAN AS poorer,
       farther::BOOLEAN AS farther, double_peine::BOOLEAN AS double_peine, note::VARCHAR AS note
FROM _double_peine_frame
