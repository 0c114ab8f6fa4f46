-- Offending rows: indicator values that are NaN or infinite (not computable is NULL).
SELECT indicator_id, level, code FROM indicator_values
WHERE isnan(value) OR isinf(value)
