-- The build's keys and values (table build_info).
SELECT key, value FROM build_info
