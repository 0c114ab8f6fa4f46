-- The double-peine row of one commune.
SELECT commune_code, median_income_eur, poverty_rate_pct, access_indicator_id, access_value,
       ref_median_income_eur, ref_poverty_rate_pct, ref_access_value,
       poorer, farther, double_peine, coalesce(note, '')
FROM double_peine
WHERE commune_code = $commune_code
