"""Never replace a good warehouse with a poorer one without being told to.

A mistyped mirror folder, a source file gone from the cache or a network outage can
make a build succeed with fewer sources: the new file would silently replace a
warehouse holding facilities and indicators with one that has none.
:func:`losses` compares the finished temporary warehouse with the one it would replace;
the build refuses the swap when something would be lost, unless the user accepted it
(``Settings.accept_loss``, ``territoires build --accept-loss``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import duckdb

from warehouse.gate import count_rows, query

# Tables whose shrinking by more than this share (same territory) counts as a loss.
# ASSUMPTION (project rule): a new vintage moves counts by a few per cent, never by half.
MAX_SHRINK: Final = 0.5
WATCHED_TABLES: Final[tuple[str, ...]] = ("facilities", "population_points", "indicator_values")

__all__ = ["MAX_SHRINK", "WATCHED_TABLES", "losses"]


def losses(
    previous: Path,
    territory: str,
    loaded: Iterable[str],
    table_rows: Mapping[str, int],
) -> list[str]:
    """What the new warehouse would lose compared with ``previous`` (French lines).

    Parameters
    ----------
    previous : Path
        The warehouse about to be replaced (nothing is lost when it does not exist or
        cannot be read as a warehouse).
    territory : str
        The new build's territory (``dep:35``...); row counts are only compared for the
        same territory.
    loaded : iterable of str
        Catalogue sources loaded by the new build.
    table_rows : mapping
        Row counts of the new warehouse's tables.

    Returns
    -------
    list of str
        Empty when nothing is lost.
    """
    if not previous.is_file():
        return []
    try:
        con = duckdb.connect(str(previous), read_only=True)
    except duckdb.Error:
        return []  # not a readable warehouse: nothing of value to protect here
    try:
        tables = {r[0] for r in query(con, "guard/tables").fetchall()}
        if "meta" not in tables:
            return []
        before = [r[0] for r in query(con, "guard/loaded").fetchall()]
        same = False
        if "build_info" in tables:
            row = query(con, "guard/territory").fetchone()
            same = row is not None and row[0] == territory
        counts = {name: count_rows(con, name) for name in WATCHED_TABLES if name in tables}
    finally:
        con.close()
    now = set(loaded)
    lines = [
        f"source {name} chargée dans l'entrepôt actuel, absente cette fois"
        for name in before
        if name not in now
    ]
    if same:
        for name, old in counts.items():
            new = table_rows.get(name, 0)
            if old > 0 and new < (1.0 - MAX_SHRINK) * old:
                lines.append(f"table {name} : {old:,d} lignes -> {new:,d}".replace(",", "\u202f"))
    return lines
