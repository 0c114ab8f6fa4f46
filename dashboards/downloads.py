"""Downloads of the current view (CSV, XLSX, GeoPackage) through the code of
``territoires export`` (:mod:`indicators.exports`): same frame, same columns, same
metadata, same writers; the file is written to a temporary folder, read back as bytes
and handed to Dash with ``dcc.send_bytes`` (which keeps the CSV's BOM).

The current view is the map's level and indicator; when the selected territory is
at a coarser level than the map (an EPCI while the map shows communes), only the rows
inside it are exported, otherwise every territory of the level in the warehouse.
Figures the dashboard computes from base tables (population, density, facilities
per 10,000 inhabitants) are passed to the shared code as extra indicators.
"""

from __future__ import annotations

import tempfile
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

KINDS = ("csv", "xlsx", "gpkg")
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


def export_data(
    wh: Warehouse, state: ViewState, kind: str, origin: str = ""
) -> tuple[bytes, str, ExportMeta, int]:
    """(file bytes, file name, metadata, number of rows) of the current view.

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
    context = (
        ("lien permanent", origin + to_url(state)),
        ("classification (carte)", f"{state.classification}, {state.k} classes"),
        ("exporté depuis", "tableau de bord Territoires"),
    )
    frame, meta = queries.export_view(
        wh,
        state.level,
        export_scope(state.level, state.territory),
        indicator_ids=() if ind.computed_here else (ind.id,),
        extra=_extra(wh, ind, state.level),
        geometry=kind == "gpkg",
        context=context,
    )
    name = filename(ind.id, state.level, kind)
    with tempfile.TemporaryDirectory(prefix="territoires-export-") as tmp:
        path = write_export(frame, meta, Path(tmp) / name, kind, decimal_comma=True)
        data = path.read_bytes()
    return data, name, meta, len(frame)


def download(
    wh: Warehouse, state: ViewState, kind: str, origin: str = ""
) -> tuple[dict[str, Any] | Any, str]:
    """``dcc.Download`` data for the current view and a French status sentence; when
    the view cannot be exported, no download and the reason."""
    try:
        data, name, meta, n = export_data(wh, state, kind, origin)
    except ExportError as exc:
        return no_update, f"Export impossible : {exc}."
    status = f"{name} : {n} ligne(s) exportée(s) ({meta.scope}), le {_now()}."
    return dcc.send_bytes(data, name, type=MIME[kind]), status


def filename(indicator_id: str, level: str, kind: str) -> str:
    return f"territoires_{indicator_id}_{level}.{kind}"


def _now() -> str:
    return datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
