-- Car catchments of the demand points: 2SFCA demand only.
SELECT origin_id, service_type, facility_id, minutes FROM demand_travel_times
