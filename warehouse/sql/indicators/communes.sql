-- Communes and their parent territories.
SELECT code, epci_code, dep_code, reg_code
FROM territories WHERE level = 'commune'
