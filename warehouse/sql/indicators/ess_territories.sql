-- Every territory with its parents, completeness and population (ESS layout).
SELECT level, code, epci_code, dep_code, reg_code, complete, population::DOUBLE AS population
FROM territories
