-- Offending rows: commune codes that are not five characters (2A/2B for Corsica).
SELECT code FROM territories
WHERE level = 'commune'
  AND NOT regexp_full_match(code, '(?:[0-9]{2}|2A|2B)[0-9]{3}')
