-- Communes with their parents, population and density level (fracture).
SELECT code, epci_code, dep_code, reg_code, population::DOUBLE AS population, density_level
FROM territories WHERE level = 'commune' ORDER BY code
