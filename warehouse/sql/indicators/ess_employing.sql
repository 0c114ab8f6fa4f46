-- All employing establishments counted by commune.
SELECT commune_code, count(*)::DOUBLE AS n, coalesce(sum(jobs), 0)::DOUBLE AS jobs,
       coalesce(max(jobs), 0)::DOUBLE AS max_jobs
FROM _ess_establishments GROUP BY ALL ORDER BY ALL
