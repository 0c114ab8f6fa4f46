"""Downloads of the current view (CSV, XLSX, GeoPackage) through the code of
``territoires export`` (:mod:`indicators.exports`): same frame, same columns, same
metadata, same writers; the file is written to a temporary folder, read back as bytes
and handed to Dash with ``dcc.send_bytes`` (which keeps the CSV's BOM).

The current view is the map's level and indicator (or every indicator of its theme);
when the selected territory is at a coarser level than the map (an EPCI while the map
shows communes), only the rows inside it are exported, otherwise every territory of
the level in the warehouse. When the user filtered or sorted the table, the browser
sends the codes of its rows in their order and the file holds those rows, in that
order. CSV and XLSX carry French column labels above the column ids.
Figures the dashboard computes from base tables (population, density, facilities
per 10,000 inhabitants) are passed to the shared code as extra indicators.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dash import dcc, no_update

from dashboards import queries
from dashboards.permalink import ViewState, split_territory, to_url
from dashboards.queries import Warehouse
from indicators.exports import (
    ExportError,
    ExportMeta,
    ExtraIndicator,
    IndicatorMeta,
    write_export,
)
from indicators.exports.metadata import HEADER_ROWS_NOTE

KINDS = ("csv", "xlsx", "gpkg")
MAX_ROWS = 100_000  # more codes than any level of France has: a forged request
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}
_RANK = {level: n for n, level in enumerate(queries.LEVELS)}


def export_scope(level: str, territory: str) -> tuple[str, str] | None:
    """The territory to restrict the export to: the selection when it is coarser
    than the map's level, else ``None`` (the whole level)."""
    if not territory:
        return None
    t_level, code = split_territory(territory)
    if t_level not in _RANK or not code or _RANK[t_level] <= _RANK.get(level, 0):
        return None
    return t_level, code


def _extra(wh: Warehouse, ind: queries.Indicator, level: str) -> tuple[ExtraIndicator, ...]:
    if not ind.computed_here:
        return ()
    values = {
        v.code: (None if v.secret else v.value) for v in queries.indicator_values(wh, ind.id, level)
    }
    meta = IndicatorMeta(
        ind.id,
        ind.theme,
        ind.label,
        ind.unit,
        ind.definition + " (calculé par le tableau de bord à partir des tables de base)",
        ind.formula,
        ind.sources,
        ind.vintage,
        ind.decimals,
    )
    return (ExtraIndicator(meta, values),)


def table_rows(rows: object) -> tuple[str, ...] | None:
    """The table's row codes sent by the browser, checked: None when absent.

    Raises
    ------
    ExportError
        Not a list of territory codes (French message).
    """
    if rows is None:
        return None
    if (
        not isinstance(rows, list)
        or len(rows) > MAX_ROWS
        or not all(isinstance(r, str) and 0 < len(r) <= 20 for r in rows)
    ):
        raise ExportError("lignes du tableau illisibles")
    return tuple(rows)


def export_data(
    wh: Warehouse,
    state: ViewState,
    kind: str,
    origin: str = "",
    *,
    rows: Sequence[str] | None = None,
    theme: bool = False,
) -> tuple[bytes, str, ExportMeta, int]:
    """(file bytes, file name, metadata, number of rows) of the current view.

    ``rows``: the codes of the table's rows after the user's filter and sort, in order
    (None: every row of the view, by code); ``theme``: every indicator of the view's
    theme instead of the one on the map.

    Raises
    ------
    ExportError
        Unknown format or indicator, or nothing to export (French message).
    """
    if kind not in KINDS:
        raise ExportError(f"format d'export inconnu : {kind!r}")
    ind = queries.indicator(wh, state.indicator)
    if ind is None or state.level not in queries.levels(wh):
        raise ExportError("vue à exporter invalide (indicateur ou niveau inconnu)")
    context = [
        ("lien permanent", origin + to_url(state)),
        ("classification (carte)", f"{state.classification}, {state.k} classes"),
        ("exporté depuis", "tableau de bord Territoires"),
    ]
    if kind in ("csv", "xlsx"):
        context.append(("en-têtes", HEADER_ROWS_NOTE))
    if theme:
        chosen = tuple(
            i.id for i in queries.indicators(wh) if i.theme == ind.theme and not i.computed_here
        )
        extra: tuple[ExtraIndicator, ...] = tuple(
            e
            for i in queries.indicators(wh)
            if i.theme == ind.theme and i.computed_here
            for e in _extra(wh, i, state.level)
        )
    else:
        chosen = () if ind.computed_here else (ind.id,)
        extra = _extra(wh, ind, state.level)
    frame, meta = queries.export_view(
        wh,
        state.level,
        export_scope(state.level, state.territory),
        indicator_ids=chosen,
        extra=extra,
        geometry=kind == "gpkg",
        context=tuple(context),
    )
    if rows is not None:
        frame = _as_in_table(frame, rows)
        total = len(queries.territories(wh, state.level))
        lines = ("lignes", f"filtre et tri du tableau : {len(frame)} sur {total}")
        meta = replace(meta, context=(*meta.context, lines))
    stem = f"theme_{ind.theme}" if theme else ind.id
    name = filename(stem, state.level, kind)
    with tempfile.TemporaryDirectory(prefix="territoires-export-") as tmp:
        path = write_export(frame, meta, Path(tmp) / name, kind, decimal_comma=True, labelled=True)
        data = path.read_bytes()
    return data, name, meta, len(frame)


def _as_in_table(frame: Any, rows: Sequence[str]) -> Any:
    """The frame's rows whose code the table shows, in the table's order (codes the
    export does not hold are ignored).

    Raises
    ------
    ExportError
        No row left (French message).
    """
    position = {str(c): i for i, c in enumerate(frame["code"])}
    keep = [position[c] for c in dict.fromkeys(rows) if c in position]
    if not keep:
        raise ExportError("aucune ligne du tableau filtré à exporter")
    return frame.iloc[keep].reset_index(drop=True)


def download(
    wh: Warehouse,
    state: ViewState,
    kind: str,
    origin: str = "",
    *,
    rows: object = None,
    theme: bool = False,
) -> tuple[dict[str, Any] | Any, str]:
    """``dcc.Download`` data for the current view and a French status sentence; when
    the view cannot be exported, no download and the reason."""
    try:
        data, name, meta, n = export_data(
            wh, state, kind, origin, rows=table_rows(rows), theme=theme
        )
    except ExportError as exc:
        return no_update, f"Export impossible : {exc}."
    what = f"{len(meta.indicators)} indicateurs du thème" if theme else "1 indicateur"
    filtered = " selon le filtre et le tri du tableau" if rows is not None else ""
    status = f"{name} : {n} ligne(s) exportée(s){filtered}, {what} ({meta.scope}), le {_now()}."
    return dcc.send_bytes(data, name, type=MIME[kind]), status


def filename(indicator_id: str, level: str, kind: str) -> str:
    return f"territoires_{indicator_id}_{level}.{kind}"


def _now() -> str:
    return datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
