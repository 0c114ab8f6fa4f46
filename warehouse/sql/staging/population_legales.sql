-- Population from INSEE's legal populations file, when loaded (overrides the list's).
CREATE OR REPLACE VIEW src_population AS
SELECT commune_code AS code, population, 'populations_legales' AS population_source
FROM raw_populations_legales;
