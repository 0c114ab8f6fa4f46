"""Indicators of Territoires: pure kernels, one module per theme, a registry, a build step.

- :mod:`indicators.weighting`: population weighting from points to communes, EPCI,
  départements and régions (never averaging communes);
- :mod:`indicators.access_15min`: the "quart d'heure" shares, median and mean times,
  the everyday basket and its score;
- :mod:`indicators.third_places`: access to tiers-lieux by bike and car;
- :mod:`indicators.rural_mobility`: remoteness from passenger stations by density class;
- :mod:`indicators.fca`: the enhanced 2SFCA kernel (Luo & Qi 2009);
- :mod:`indicators.indicator`: the indicator record, its stable id and table form;
- :mod:`indicators.registry`: the catalogue of indicators (labels, units, sources, vintages);
- :mod:`indicators.step`: the build step writing ``indicators`` and ``indicator_values``,
  with :mod:`indicators.step_context` (per-indicator computation, notes of blank values);
- :mod:`indicators.whatif`: planner what-if without rebuilding;
- :mod:`indicators.commitments`: public-service commitments (La Poste's presence rule,
  the France Services promise);
- :mod:`indicators.ess`, :mod:`indicators.ess_indicators`, :mod:`indicators.ess_step`: ESS
  establishments and estimated jobs, with :mod:`indicators.secrecy` (statistical secrecy,
  secondary suppression);
- :mod:`indicators.inequality`, :mod:`indicators.fracture`, :mod:`indicators.fracture_step`:
  territorial-fracture indices (Gini, Theil, Palma...) over
  :mod:`indicators.commune_groups`, and :mod:`indicators.double_peine`;
- :mod:`indicators.exports`: CSV, XLSX, GeoPackage and Parquet exports with metadata;
- :mod:`indicators._sql`: the indicators' reads and writes (SQL in ``warehouse/sql/indicators``);
- :mod:`indicators.cli`: text of ``territoires indicators``.

Indicators read the ``travel_times`` table; they never route and never download.
"""
