-- Establishment counts of the build log (employing, without bracket, ESS).
SELECT count(*) AS employing, count(*) FILTER (WHERE e.jobs IS NULL) AS no_bracket,
       count(u.siren) AS ess, count(u.siren) FILTER (WHERE e.jobs IS NULL) AS ess_no_bracket
FROM _ess_establishments e LEFT JOIN _ess_units u ON u.siren = e.siren
