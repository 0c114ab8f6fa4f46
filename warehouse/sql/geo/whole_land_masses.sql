-- Land masses lying wholly inside the territory: no build-extent limit there.
SELECT land_mass FROM commune_base
GROUP BY land_mass
HAVING bool_and(code IN (SELECT code FROM scope_communes))
