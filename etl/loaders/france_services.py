"""France Services sites (ANCT list).

The ANCT publishes the list of labelled France Services with their address,
INSEE commune code and WGS84 coordinates. Every site is kept, whatever its
``format_fs``:

- ``Fixe``, ``Fixe_antenne(s)``, ``Multisites``: a fixed building; the point is
  the published address (``geo_precision`` NULL: the source gives no quality);
- ``Itinérante`` and ``Bus_équivalent``: a bus or a travelling team that stops
  in several communes on a weekly schedule. The file gives one fixed reference
  point only (the carrying structure's address), so these sites are kept with
  ``geo_precision = 'itinérante: point de référence'``; indicators that need
  the real stops must treat them apart.

A site without coordinates is kept with NULL ``lon``/``lat`` (the warehouse
lists it in ``facilities_unlocated``). Fields may contain line breaks (opening
hours, comments); they are quoted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb

from etl.catalogue import Source
from etl.loaders._facilities import facility_sql, query_one_csv, to_facilities

logger = logging.getLogger(__name__)

SERVICE_TYPE = "FRANCE_SERVICES"
MOBILE_FORMATS = frozenset({"Itinérante", "Bus_équivalent"})
MOBILE_PRECISION = "itinérante: point de référence"

# Reads the catalogue's declared columns (read_declared_csv: latitude/longitude DOUBLE).
_SQL = facility_sql(
    "id_fs", "lib_fs", "insee_com", "longitude", "latitude", format_fs="trim(format_fs)"
)


def load_france_services(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """France Services sites as facilities of type ``FRANCE_SERVICES``.

    Sites without coordinates are kept, with NULL ``lon``/``lat``, and counted
    in the log; mobile sites are kept at their reference point (see the module
    docstring).

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per site:

        - ``facility_id``: ``"<source>:<id_fs>"``;
        - ``source``: the catalogue name;
        - ``service_type``: ``FRANCE_SERVICES``;
        - ``label``: ``lib_fs`` (whitespace normalised);
        - ``commune_code``: ``insee_com``, 5 characters;
        - ``lon``, ``lat``: WGS84 degrees, as published (both NULL when one is empty);
        - ``bpe_gamme``, ``capacity``: NULL;
        - ``geo_precision``: ``'itinérante: point de référence'`` for the
          ``Itinérante`` and ``Bus_équivalent`` formats, NULL otherwise.
    """
    df = query_one_csv(con, files, source, _SQL)
    mobile = df["format_fs"].isin(MOBILE_FORMATS)
    logger.info(
        "%s: %d site(s) itinérant(s) gardé(s) à leur point de référence",
        source.name,
        int(mobile.sum()),
    )
    return to_facilities(
        con,
        df,
        source,
        service_type=SERVICE_TYPE,
        geo_precision=[MOBILE_PRECISION if m else None for m in mobile],
    )
