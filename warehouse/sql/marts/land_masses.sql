-- Land masses of France (continent, Corsica, islands without a bridge, overseas
-- islands) with their communes and 2017/legal population in the whole commune base;
-- walking, cycling and driving stay on one land mass (geo/land_masses.py).
-- imports
CREATE OR REPLACE TABLE land_masses AS
WITH masses AS (SELECT * FROM stg_land_masses),
     communes AS (SELECT code, land_mass, population FROM commune_base),
-- logic
     per_mass AS (
        SELECT land_mass, count(*) AS n_communes, sum(population)::BIGINT AS population
        FROM communes GROUP BY land_mass
     )
-- final
SELECT m.land_mass, m.name, m.epsg, m.main, m.island,
       coalesce(p.n_communes, 0) AS n_communes, p.population
FROM masses m LEFT JOIN per_mass p ON p.land_mass = m.land_mass
ORDER BY m.epsg, m.main DESC, m.land_mass;
DROP TABLE stg_land_mass_communes;
DROP TABLE stg_land_masses;
