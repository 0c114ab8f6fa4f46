-- No density grid loaded: the density class is unknown (never guessed).
CREATE OR REPLACE VIEW src_density AS
SELECT NULL::VARCHAR AS commune_code, NULL::INTEGER AS density_level,
       NULL::VARCHAR AS density_label WHERE false;
