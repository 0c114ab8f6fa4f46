"""The export buttons of a page (CSV, XLSX, GeoPackage), a status line and the
``dcc.Download`` they fill. The files themselves are built by the shared code of
``territoires export`` (:mod:`indicators.exports`), called by ``dashboards/downloads.py``."""

from __future__ import annotations

from collections.abc import Mapping

from dash import dcc, html


def export_buttons(
    buttons: Mapping[str, str], download_id: str, status_id: str, *, class_name: str = ""
) -> html.Div:
    """Native ``<button>`` elements (keyboard reachable, labelled in French) in the
    order of ``buttons`` (id -> label), the download target and a polite live region
    saying what was exported or why not."""
    return html.Div(
        [
            *(
                html.Button(label, id=button_id, n_clicks=0, type="button", className="button")
                for button_id, label in buttons.items()
            ),
            dcc.Download(id=download_id),
            html.P(
                id=status_id,
                className="field-help export-status",
                role="status",
                **{"aria-live": "polite"},
            ),
        ],
        className=f"exports no-print {class_name}".strip(),
        role="group",
        **{"aria-label": "Exporter la vue courante"},
    )
