"""The map legend: one swatch per class with French bounds, plus hatched entries
for missing and secret values (never drawn as a class, the missing line saying
why), and notes under it (classes, commitment, one point per commune)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dash import html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.figures.choropleth import LegendEntry
from dashboards.figures.histogram import Histogram
from dashboards.formatting import integer, number


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
    direction: str = "",
    source: str = "",
    distribution: Histogram | None = None,
    decimals: int = 0,
    plural: str = "territoires",
) -> html.Div:
    """The legend; ``note`` about the classes, ``commitment`` saying what the
    commitment is, ``one_point`` when commune values come from one point each,
    ``direction`` which end of the colours is better, ``source`` the sources and
    vintages of the figures (the map's caption)."""
    children: list[Component] = [
        html.H2(title, className="legend-title"),
        *(
            [html.P(direction, id=ids.LEGEND_DIRECTION, className="legend-note")]
            if direction
            else []
        ),
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
    if distribution is not None:
        children.append(histogram_chart(distribution, decimals, plural))
    if source:
        children.append(html.P(source, id=ids.LEGEND_SOURCE, className="legend-note legend-source"))
    return html.Div(children, className="legend", role="group", **{"aria-label": "Légende"})


def histogram_chart(h: Histogram, decimals: int, plural: str) -> html.Figure:
    """Bars of equal-width bins (height: territories), in their class colour, the class
    breaks as dashed lines, the range under it; a sentence for screen readers."""
    top = max(b.count for b in h.bars) or 1
    bars = [
        html.Div(
            className="histo-bar",
            title=f"{number(b.lower, decimals)} à {number(b.upper, decimals)} : {integer(b.count)}",
            style={
                "height": f"{100 * b.count / top:.1f}%",
                "backgroundColor": b.colour or "transparent",
            },
        )
        for b in h.bars
    ]
    breaks = [
        html.Div(className="histo-break", style={"left": f"{100 * x:.1f}%"}) for x in h.breaks
    ]
    caption = (
        f"Répartition des {integer(h.n)} {plural} ayant une valeur, de "
        f"{number(h.low, decimals)} à {number(h.high, decimals)} ; traits : limites des classes."
    )
    return html.Figure(
        [
            html.Div([*bars, *breaks], className="histo-bars", **{"aria-hidden": "true"}),
            html.Div(
                [html.Span(number(h.low, decimals)), html.Span(number(h.high, decimals))],
                className="histo-axis",
                **{"aria-hidden": "true"},
            ),
            html.Figcaption(caption, className="legend-note"),
        ],
        id=ids.LEGEND_HISTOGRAM,
        className="histogram",
    )


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
