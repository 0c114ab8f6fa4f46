-- Service types of the loaded facility sources, by label (SELECT *: basket_item is
-- read only when the warehouse has it).
SELECT * FROM service_types ORDER BY label
