-- Names (current, delegated, former) leading to the current communes of the build.
SELECT s.commune_code, s.label, s.match_kind, coalesce(s.dep_code, t.dep_code), t.name
FROM commune_search s
JOIN territories t ON t.level = 'commune' AND t.code = s.commune_code
ORDER BY s.label, s.commune_code
