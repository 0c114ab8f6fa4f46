-- ESS establishments counted by (commune, family, NAF section).
SELECT e.commune_code, u.family, coalesce(s.section, '?') AS section,
       count(*)::DOUBLE AS n, coalesce(sum(e.jobs), 0)::DOUBLE AS jobs,
       coalesce(max(e.jobs), 0)::DOUBLE AS max_jobs
FROM _ess_establishments e
JOIN _ess_units u ON u.siren = e.siren
LEFT JOIN _ess_sections s ON s.activite_principale IS NOT DISTINCT FROM e.activite_principale
GROUP BY ALL ORDER BY ALL
