-- Datasets (and their vintages) feeding the parts of the warehouse whose usage starts
-- with $usage_prefix.
SELECT DISTINCT u.dataset, coalesce(m.vintage, '')
FROM meta_usage u LEFT JOIN meta m ON m.dataset = u.dataset
WHERE starts_with(u.usage, $usage_prefix) AND u.dataset <> ''
ORDER BY 1
