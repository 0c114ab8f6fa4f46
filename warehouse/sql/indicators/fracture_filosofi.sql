-- Filosofi income and poverty by commune (fracture overlay).
SELECT commune_code::VARCHAR AS commune_code, median_income_eur::DOUBLE AS median_income_eur,
       poverty_rate_pct::DOUBLE AS poverty_rate_pct
FROM raw_filosofi_communes
