-- The packed outlines of one level, gzipped (warehouse/outlines.py), as the build stored them.
SELECT gz FROM display_outlines WHERE level = $level
