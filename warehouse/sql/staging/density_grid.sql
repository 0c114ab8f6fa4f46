CREATE OR REPLACE VIEW src_density AS
SELECT commune_code, density_level, density_label FROM raw_density_grid;
