-- The service types (warehouse table service_types).
SELECT code, slug, label, bpe_gamme::VARCHAR AS bpe_gamme, sources, family, basket_item,
       capacity_limited, counted_sources
FROM service_types ORDER BY code
