"""The map legend: one swatch per class with French bounds, plus hatched entries
for missing and secret values (never drawn as a class, the missing line saying
why), and notes under it (classes, commitment, one point per commune)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dash import html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.figures.choropleth import LegendEntry
from dashboards.formatting import integer


def _item(e: LegendEntry) -> html.Li:
    children: list[Component] = [
        html.Span(
            className=f"swatch {e.swatch_class}".strip(),
            style={"backgroundColor": e.colour} if e.colour else None,
            **{"aria-hidden": "true"},
        ),
        html.Span(e.label, className="legend-label"),
        html.Span(f"({integer(e.count)})", className="legend-count"),
    ]
    if e.detail:
        children.append(html.Span(e.detail, className="legend-detail"))
    return html.Li(children, className="legend-item")


def legend(
    title: str,
    entries: Sequence[LegendEntry],
    note: str = "",
    *,
    commitment: str = "",
    one_point: str = "",
) -> html.Div:
    """The legend; ``note`` about the classes, ``commitment`` saying what the
    commitment is, ``one_point`` when commune values come from one point each."""
    children: list[Component] = [
        html.H2(title, className="legend-title"),
        html.Ul([_item(e) for e in entries], className="legend-list"),
    ]
    if commitment:
        children.append(html.P(commitment, id=ids.COMMITMENT_NOTE, className="legend-note"))
    if note:
        children.append(html.P(note, className="legend-note"))
    if one_point:
        children.append(
            html.P(one_point, id=ids.ONE_POINT_NOTE, className="legend-note one-point-note")
        )
    return html.Div(children, className="legend", role="group", **{"aria-label": "Légende"})


def facility_legend(labels: Mapping[str, str], colours: Mapping[str, str]) -> html.Ul | str:
    """Colours of the facility types on display."""
    if not labels:
        return ""
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(
                        className="swatch swatch-point",
                        style={"backgroundColor": colours.get(code, "#333")},
                        **{"aria-hidden": "true"},
                    ),
                    html.Span(label),
                ],
                className="legend-item",
            )
            for code, label in labels.items()
        ],
        className="legend-list facility-legend",
        **{"aria-label": "Équipements affichés"},
    )
