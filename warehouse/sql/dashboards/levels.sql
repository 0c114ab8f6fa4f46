-- Levels present in territories.
SELECT DISTINCT level FROM territories
