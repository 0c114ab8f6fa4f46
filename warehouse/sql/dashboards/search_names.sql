-- Current names of the communes of the build (a warehouse without commune_search).
SELECT code, name, 'nom', dep_code, name FROM territories WHERE level = 'commune' ORDER BY name
