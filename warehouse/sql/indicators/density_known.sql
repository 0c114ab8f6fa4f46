-- How many population points have a density level (density grid loaded).
SELECT count(*) FROM population_points WHERE density_level IS NOT NULL
