-- Commune-level values as (row, column) positions of the fracture step's matrix
-- (frames _fracture_ids and _fracture_codes registered by the step).
SELECT i.k AS row_k, c.k AS col_k, v."value"::DOUBLE AS "value"
FROM indicator_values v
JOIN _fracture_ids i ON i.id = v.indicator_id
JOIN _fracture_codes c ON c.code = v.code
WHERE v.level = 'commune' AND v."value" IS NOT NULL
