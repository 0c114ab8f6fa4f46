-- (Re)create indicator_values from integer codes plus lookup frames (_value_*).
CREATE OR REPLACE TABLE indicator_values AS
SELECT i.indicator_id::VARCHAR AS indicator_id, l.level::VARCHAR AS level,
       c.code::VARCHAR AS code, v."value"::DOUBLE AS "value", v.secret::BOOLEAN AS secret,
       v.numerator::DOUBLE AS numerator, v.denominator::DOUBLE AS denominator,
       n.note::VARCHAR AS note
FROM _indicator_values_frame v
JOIN _value_ids i ON i.k = v.i
JOIN _value_levels l ON l.k = v.l
JOIN _value_codes c ON c.k = v.c
LEFT JOIN _value_notes n ON n.k = v.n
