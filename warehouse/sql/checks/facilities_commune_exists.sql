-- Offending rows: facilities whose commune is not in the COG (commune_base).
SELECT facility_id FROM facilities
WHERE commune_code NOT IN (SELECT code FROM commune_base)
