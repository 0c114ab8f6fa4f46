-- Share (0-1) of the communes with a value, per registered indicator.
SELECT indicator_id, avg(CASE WHEN value IS NULL THEN 0 ELSE 1 END)
FROM indicator_values
WHERE level = 'commune'
GROUP BY indicator_id
