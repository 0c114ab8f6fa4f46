-- Offending rows: values of '%' indicators that are NaN or outside [0, 100].
SELECT v.indicator_id, v.level, v.code, v.value FROM indicator_values v
JOIN indicators i ON i.id = v.indicator_id
WHERE i.unit = '%' AND (isnan(v.value) OR v.value < 0 OR v.value > 100)
