"""Builders of the "Données & méthodes" page: load log, missing sources, build,
indicator definitions (pure: rows in, components out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from dashboards.components.controls import theme_label
from dashboards.formatting import integer
from dashboards.queries import Indicator

_DIRECTION = {True: "plus élevé = mieux", False: "plus bas = mieux", None: "sans sens"}


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> html.Table:
    return html.Table(
        [
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        className="data-table",
    )


def loaded_sources(meta: Sequence[Mapping[str, Any]]) -> html.Component:
    rows = [
        (
            m["dataset"],
            m["title"] or "",
            m["vintage"] or "",
            integer(m["rows"]) if m["rows"] is not None else "",
            m["origin"] or "",
            m["licence"] or "",
        )
        for m in meta
        if m["status"] != "absente"
    ]
    if not rows:
        return html.P("Aucune source chargée.", className="notice")
    header = ("Source", "Titre", "Millésime", "Lignes", "Origine", "Licence")
    return _table("Sources chargées dans l'entrepôt", header, rows)


def missing_sources(meta: Sequence[Mapping[str, Any]]) -> html.Component:
    missing = [m for m in meta if m["status"] == "absente"]
    if not missing:
        return html.P("Aucune source manquante.")
    return html.Ul(
        [
            html.Li(
                [
                    html.Strong(f"{m['dataset']} — {m['title'] or ''}"),
                    html.Br(),
                    html.Span(m["reason"] or "raison non renseignée"),
                ]
            )
            for m in missing
        ],
        className="missing-list",
    )


def usage(rows: Sequence[tuple[str, str]]) -> html.Component:
    if not rows:
        return html.P("Usage des sources non renseigné.")
    return _table(
        "Quelle source alimente quoi",
        ("Usage", "Source"),
        [(u, d or "aucune (source manquante)") for u, d in rows],
    )


def build(info: Sequence[tuple[str, str]]) -> html.Component:
    return html.Dl(
        [item for k, v in info for item in (html.Dt(k), html.Dd(v))], className="build-list"
    )


def definitions(indicators: Sequence[Indicator]) -> list[html.Component]:
    """One collapsible block per theme with each indicator's definition."""
    out = []
    for theme in dict.fromkeys(i.theme for i in indicators):
        members = [i for i in indicators if i.theme == theme]
        rows = [
            (
                i.id,
                i.label,
                i.unit,
                i.definition,
                i.formula,
                i.sources,
                i.vintage,
                _DIRECTION[i.higher_is_better],
            )
            for i in members
        ]
        header = (
            "Identifiant",
            "Libellé",
            "Unité",
            "Définition",
            "Formule",
            "Sources",
            "Millésime",
            "Sens",
        )
        out.append(
            html.Details(
                [
                    html.Summary(f"{theme_label(theme)} ({len(members)})"),
                    _table(theme_label(theme), header, rows),
                ],
                open=len(indicators) <= 20,
            )
        )
    return out
