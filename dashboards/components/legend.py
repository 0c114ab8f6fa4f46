"""The map legend: one swatch per class with French bounds, plus hatched entries
for missing and secret values (never drawn as a class)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dash import html

from dashboards.figures.choropleth import LegendEntry
from dashboards.formatting import integer


def legend(title: str, entries: Sequence[LegendEntry], note: str = "") -> html.Div:
    items = [
        html.Li(
            [
                html.Span(
                    className=f"swatch {e.swatch_class}".strip(),
                    style={"backgroundColor": e.colour} if e.colour else None,
                    **{"aria-hidden": "true"},
                ),
                html.Span(e.label, className="legend-label"),
                html.Span(f"({integer(e.count)})", className="legend-count"),
            ],
            className="legend-item",
        )
        for e in entries
    ]
    children: list[html.Component] = [
        html.H2(title, className="legend-title"),
        html.Ul(items, className="legend-list"),
    ]
    if note:
        children.append(html.P(note, className="legend-note"))
    return html.Div(children, className="legend", role="group", **{"aria-label": "Légende"})


def facility_legend(labels: Mapping[str, str], colours: Mapping[str, str]) -> html.Div | str:
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
