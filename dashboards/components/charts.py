"""Charts of the portrait, drawn as plain HTML bars: the territory against its
reference, service by service. No charting library: plotly's 1.5 MB of JavaScript made
a portrait take 3 s instead of 1 s to open (bench/dashboard.py); bars in HTML load with
the page, print as they show and read as text to a screen reader.

Built from the portrait's rows only (no query); a missing or secret value has no bar
and says why in words."""

from __future__ import annotations

from collections.abc import Mapping

from dash import html

from dashboards.formatting import number
from dashboards.portrait_data import Portrait, Row

_MODES = (("walk", "à pied"), ("bike", "à vélo"), ("car", "en voiture"))


def _text(value: float | None, secret: bool, decimals: int) -> str:
    if secret:
        return "secret statistique"
    return "non disponible" if value is None else f"{number(value, decimals)} %"


def _bar(value: float | None, secret: bool, decimals: int, kind: str) -> html.Div:
    text = html.Span(_text(value, secret, decimals), className="bar-value")
    if value is None or secret:  # no bar: the words say why
        return html.Div(text, className="bar-row")
    width = max(0.0, min(100.0, value))
    return html.Div(
        [html.Span(className=f"bar bar-{kind}", style={"width": f"{width:.1f}%"}), text],
        className="bar-row",
    )


def share_chart(p: Portrait, labels: Mapping[str, str], mode: str = "walk") -> html.Figure | None:
    """Bars of the share of inhabitants within the quart d'heure of each service type,
    the territory's above its reference's, in one mode (None without such rows)."""
    grid = p.share_grid()
    rows: list[tuple[str, Row]] = sorted(
        (labels.get(st, st), by_mode[mode]) for st, by_mode in grid.items() if mode in by_mode
    )
    if not rows:
        return None
    ref = p.reference.name if p.reference is not None else "référence"
    d = rows[0][1].indicator.decimals
    word = dict(_MODES).get(mode, mode)
    items = [
        html.Div(
            [
                html.Div(name, className="bar-label"),
                html.Div(
                    [
                        _bar(r.value, r.secret, d, "territory"),
                        _bar(r.reference, r.reference_secret, d, "reference"),
                    ],
                    className="bar-pair",
                ),
            ],
            className="bar-item",
        )
        for name, r in rows
    ]
    key = html.P(
        [
            html.Span(className="bar-key bar-territory", **{"aria-hidden": "true"}),
            f" {p.territory.name}   ",
            html.Span(className="bar-key bar-reference", **{"aria-hidden": "true"}),
            f" {ref}",
        ],
        className="bar-legend",
    )
    caption = (
        f"Part de la population à {p.minutes} ou moins, {word} : {p.territory.name} "
        f"(barre du haut) et {ref} (barre du bas), équipement par équipement, de 0 à 100 %."
    )
    return html.Figure(
        [
            key,
            html.Div(items, className="bar-chart"),
            html.Figcaption(caption, className="field-help"),
        ],
        className="chart-figure",
    )
