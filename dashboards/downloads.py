"""Downloads of the current view (CSV, XLSX): gather through ``queries``, build the
bytes with the pure builders of ``components/exports.py``, hand them to Dash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import dcc

from dashboards import queries
from dashboards.components import exports
from dashboards.permalink import ViewState, to_url
from dashboards.portrait_data import level_ranks
from dashboards.queries import Warehouse

KINDS = ("csv", "xlsx")


def download(wh: Warehouse, state: ViewState, kind: str, origin: str = "") -> dict[str, Any]:
    """``dcc.Download`` data for the current level and indicator."""
    if kind not in KINDS:
        raise ValueError(f"format d'export inconnu: {kind!r}")
    ind = queries.indicator(wh, state.indicator)
    if ind is None or state.level not in queries.levels(wh):
        raise ValueError("vue à exporter invalide")
    table = exports.view_table(
        state.level,
        queries.territories(wh, state.level),
        queries.indicator_values(wh, ind.id, state.level),
        level_ranks(wh, ind.id, state.level),
        ind,
    )
    name = exports.filename(ind, state.level, kind)
    if kind == "csv":
        return dcc.send_bytes(exports.csv_bytes(table), name, type="text/csv")
    meta = exports.metadata_rows(
        ind,
        level=state.level,
        classification=state.classification,
        k=state.k,
        permalink=origin + to_url(state),
        build_info=queries.build_info(wh),
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return dcc.send_bytes(
        exports.xlsx_bytes(table, meta),
        name,
        type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
