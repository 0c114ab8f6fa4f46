-- Codes of the service types, in code order.
SELECT code FROM service_types ORDER BY 1
