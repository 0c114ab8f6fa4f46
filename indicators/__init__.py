"""Indicators of Territoires: pure kernels, one module per theme, a registry, a build step.

- :mod:`indicators.weighting`: population weighting from points to communes, EPCI,
  départements and régions (never averaging communes);
- :mod:`indicators.access_15min`: the "quart d'heure" shares, median and mean times,
  the everyday basket and its score;
- :mod:`indicators.third_places`: access to tiers-lieux by bike and car;
- :mod:`indicators.rural_mobility`: remoteness from passenger stations by density class;
- :mod:`indicators.fca`: the enhanced 2SFCA kernel (Luo & Qi 2009);
- :mod:`indicators.registry`: stable ids and metadata (labels, units, sources, vintages);
- :mod:`indicators.step`: the build step writing ``indicators`` and ``indicator_values``;
- :mod:`indicators.whatif`: planner what-if without rebuilding;
- :mod:`indicators.cli`: text of ``territoires indicators``.

Indicators read the ``travel_times`` table; they never route and never download.
"""
