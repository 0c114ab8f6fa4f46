-- The territory the warehouse was built for (build_info key 'territory').
SELECT value FROM build_info WHERE key = 'territory'
