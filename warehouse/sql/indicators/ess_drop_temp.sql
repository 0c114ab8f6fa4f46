-- Drop the temporary tables of the ESS step.
DROP TABLE IF EXISTS _ess_establishments;
DROP TABLE IF EXISTS _ess_units;
