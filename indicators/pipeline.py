"""The build pipeline: the steps run after the base tables, in order.

``warehouse.build.build`` fetches, loads and models the base tables, then runs the
steps given to it; this module names them, so the command line, the benchmarks and
the tests run the same pipeline. Adding a step = a function
``step(con, settings) -> None`` in its layer and one line here.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from etl.settings import Settings

# Same signature as ``warehouse.build.BuildStep`` (not imported: the build downloads).
BuildStep = Callable[[duckdb.DuckDBPyConnection, Settings], None]


def build_steps() -> list[tuple[str, BuildStep]]:
    """The steps after the base tables, in order.

    Returns
    -------
    list of (str, BuildStep)
        ``travel_times`` (geo: travel times from population points to facilities),
        ``coverage`` (geo: the radius within which every facility is known),
        ``transit`` (public transport from the loaded GTFS timetables),
        ``indicators`` (access, third places, rural mobility, commitments),
        ``ess`` (ESS employment with statistical secrecy), ``fracture`` (inequality
        indices), ``standings`` (each value's rank in its level, for the portrait).
    """
    from geo.access_step import compute_travel_times
    from geo.coverage import compute_point_coverage
    from indicators.ess_step import compute_ess
    from indicators.fracture_step import compute_fracture
    from indicators.public_transport_step import compute_transit
    from indicators.standings_step import compute_standings
    from indicators.step import compute_indicators

    return [
        ("travel_times", compute_travel_times),
        ("coverage", compute_point_coverage),
        ("transit", compute_transit),
        ("indicators", compute_indicators),
        ("ess", compute_ess),
        ("fracture", compute_fracture),
        ("standings", compute_standings),
    ]
