-- Offending rows: (level, code) of territories that appear more than once.
SELECT level, code FROM territories GROUP BY level, code HAVING count(*) > 1
