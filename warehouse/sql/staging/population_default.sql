-- Population of each commune as carried by the commune list itself.
CREATE OR REPLACE VIEW src_population AS
SELECT code, population, population_source FROM src_communes;
