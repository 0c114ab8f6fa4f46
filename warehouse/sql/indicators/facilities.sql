-- Facilities, their commune and metric point (2SFCA supply: facilities at one point).
SELECT facility_id, service_type, commune_code, x, y, epsg FROM facilities
