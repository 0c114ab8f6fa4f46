"""Spatial layer of Territoires: metric CRS checks and travel-time engines.

- :mod:`geo.constants`: model constants (speeds, detours, 2SFCA bands, secrecy), each
  with its source, overridable per call through :class:`geo.constants.ModelConstants`;
- :mod:`geo.crs`: metric CRS check and vectorised transforms (EPSG:2154, local UTM);
- :mod:`geo.straight_line`: k nearest facilities by k-d tree with detour factors;
- :mod:`geo.network`: the same on OpenStreetMap road graphs (multi-source Dijkstra);
- :mod:`geo.engine`: ``travel_times``, the one interface over both engines;
- :mod:`geo.land_masses`: the land masses (continent, Corsica, islands without a
  bridge, overseas islands) that walking, cycling and driving never leave.

Both engines return the long table ``(origin_id, service_type, mode, rank, minutes,
distance_m, facility_id)`` that the indicators read; indicators never route.
"""
