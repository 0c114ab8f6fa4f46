"""Never replace a good warehouse with a poorer one without being told to.

A mistyped mirror folder, a source file gone from the cache or a network outage can
make a build succeed with fewer sources: the new file would silently replace a
warehouse holding facilities and indicators with one that has none.
:func:`losses` compares the finished temporary warehouse with the one it would replace;
the build refuses the swap when something would be lost, unless the user accepted it
(``Settings.accept_loss``, ``territoires build --accept-loss``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final, NamedTuple

import duckdb

from warehouse.gate import count_rows, query

# Tables whose shrinking by more than this share (same territory) counts as a loss.
# ASSUMPTION (project rule): a new vintage moves counts by a few per cent, never by half.
MAX_SHRINK: Final = 0.5
WATCHED_TABLES: Final[tuple[str, ...]] = ("facilities", "population_points", "indicator_values")
# A source file whose loaded rows shrink by more than this share is truncated or a
# partial extract. ASSUMPTION: between vintages the official files measured here move
# by a few per cent (La Poste, France services, schools, stations); an education extract
# cut in half at a line boundary lost 31 % of the source's rows (issue 13 re-run), which
# the table check above (half of all facilities) let through.
MAX_SOURCE_SHRINK: Final = 0.2


class Loaded(NamedTuple):
    """A source loaded by the new build: its rows, and whether they come from the
    embedded sample (a sample is never compared with a full file)."""

    rows: int
    sample: bool = False


__all__ = ["MAX_SHRINK", "MAX_SOURCE_SHRINK", "WATCHED_TABLES", "Loaded", "losses"]


def losses(
    previous: Path,
    territory: str,
    loaded: Mapping[str, Loaded],
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
    loaded : mapping of str to Loaded
        Catalogue sources loaded by the new build, with their row counts. For the same
        territory, a source that loaded over :data:`MAX_SOURCE_SHRINK` fewer rows than
        in ``previous`` (both from a full file, or both from the sample) is a loss.
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
        try:
            rows = query(con, "guard/loaded").fetchall()
            before = {name: Loaded(int(n or 0), bool(sample)) for name, n, sample in rows}
        except duckdb.BinderException:  # a warehouse of an older version: names only
            names = query(con, "guard/loaded_names").fetchall()
            before = {r[0]: Loaded(0) for r in names}
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
        for name, was in before.items():
            now_rows = loaded.get(name)
            if now_rows is None or now_rows.sample != was.sample or was.rows == 0:
                continue
            if now_rows.rows < (1.0 - MAX_SOURCE_SHRINK) * was.rows:
                lines.append(
                    f"source {name} : {was.rows:,d} lignes chargées -> {now_rows.rows:,d} "
                    "(fichier tronqué ou extrait partiel ?)".replace(",", "\u202f")
                )
        for name, old in counts.items():
            new = table_rows.get(name, 0)
            if old > 0 and new < (1.0 - MAX_SHRINK) * old:
                lines.append(f"table {name} : {old:,d} lignes -> {new:,d}".replace(",", "\u202f"))
    return lines
