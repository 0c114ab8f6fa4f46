-- Offending rows: values under statistical secrecy that are published anyway.
SELECT indicator_id, level, code FROM indicator_values
WHERE secret AND value IS NOT NULL
