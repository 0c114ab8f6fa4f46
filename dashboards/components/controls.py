"""Labelled controls of the map page: level, indicator picker grouped by theme,
classification, number of classes, palette, facility layers, basemap."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.formatting import titled
from dashboards.permalink import CLASSIFICATIONS, MAX_K, MIN_K, PALETTES
from dashboards.queries import BASE_THEME, Indicator, ServiceType, quarter_hour_of
from etl.vocabulary import LEVEL_PLURAL

THEMES = {
    "access": "Accès aux services",  # the quart d'heure is the build's (--threshold)
    "third_places": "Tiers-lieux",
    "mobility": "Mobilité rurale",
    "commitments": "Engagements de service public",
    "ess": "ESS (économie sociale et solidaire)",
    "fracture": "Fractures territoriales",
    BASE_THEME: "Données de base (calculées par le tableau de bord)",
}
SHORT_THEMES = {"ess": "ESS"}
# The themes, in this order, always listed in the picker (a header saying
# why when the warehouse has none of their indicators).
FIXED_THEMES = ("access", "third_places", "mobility", "commitments", "ess", "fracture")
LEVEL_OPTIONS = {level: label[0].upper() + label[1:] for level, label in LEVEL_PLURAL.items()}
DROPDOWN_FR = {
    "select_all": "Tout sélectionner",
    "deselect_all": "Tout désélectionner",
    "selected_count": "{num_selected} sélectionné(s)",
    "search": "Rechercher",
    "clear_search": "Effacer la recherche",
    "clear_selection": "Effacer la sélection",
    "no_options_found": "Aucun choix ne correspond",
}
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© contributeurs OpenStreetMap"


def theme_label(theme: str) -> str:
    return THEMES.get(theme, theme)


def picker_label(ind: Indicator) -> str:
    """``'Label (unit)'``; a score's label already says "sur <n>", so no unit."""
    return titled(ind)


def absent_theme_label(theme: str, missing_sources: Sequence[str]) -> str:
    """Header of a theme without indicators, saying which sources were not loaded:
    ``'ESS — source non chargée (sirene_etablissements, sirene_unites_legales)'``."""
    name = SHORT_THEMES.get(theme, theme_label(theme))
    if missing_sources:
        return f"{name} — source non chargée ({', '.join(missing_sources)})"
    return f"{name} — aucun indicateur dans cet entrepôt"


def _searchable(label: str, extra: str) -> str:
    """Words an option is also found by, besides its label: ``extra`` (its theme) and
    the unaccented twins of accented words (the dropdown's own filter compares letters
    as typed: "economie" must find "Économie"). Only words the label lacks: the
    dropdown indexes every substring of every word of each field when its options
    change (0.9 s of the first page for 245 indicators when the label was repeated)."""
    text = f"{label} {extra}"
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    known = set(label.lower().split())
    words = dict.fromkeys(w for w in f"{extra} {plain}".split() if w.lower() not in known)
    return " ".join(words)


def indicator_options(
    indicators: Sequence[Indicator],
    missing_sources: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, object]]:
    """Dropdown options: one disabled heading per theme (fixed order of
    :data:`FIXED_THEMES`, then others, then base figures) followed by its
    indicators. A fixed theme without indicators keeps its heading, saying which
    sources are missing (``missing_sources``: theme -> catalogue names)."""
    missing_sources = missing_sources or {}
    extra = sorted({i.theme for i in indicators} - set(THEMES))
    order = [*FIXED_THEMES, *extra, BASE_THEME]
    options: list[dict[str, object]] = []
    for theme in order:
        members = sorted((i for i in indicators if i.theme == theme), key=lambda i: i.label)
        if not members:
            if theme in FIXED_THEMES:
                label = absent_theme_label(theme, missing_sources.get(theme, ()))
                options.append(
                    {
                        "label": label,
                        "value": f"__theme__{theme}",
                        "disabled": True,
                        "search": _searchable(label, theme_label(theme)),
                    }
                )
            continue
        options.append(
            {"label": f"— {theme_label(theme)} —", "value": f"__theme__{theme}", "disabled": True}
        )
        # typing the theme's name ("économie sociale") finds its indicators too
        options.extend(
            {
                "label": picker_label(i),
                "value": i.id,
                "search": _searchable(picker_label(i), theme_label(theme)),
            }
            for i in members
        )
    return options


# (kind, mode) of the preferred default indicators, best first (None: any mode): the
# everyday-basket score on foot, then an access share within the quart d'heure.
_DEFAULT_PREFERENCE: tuple[tuple[str, str | None], ...] = (
    ("score", "walk"),
    ("share_within", "walk"),
    ("share_within", None),
)


def _preferred(ind: Indicator, kind: str, mode: str | None, threshold: float | None) -> bool:
    """Whether ``ind`` is an access indicator of ``kind`` (and ``mode``) at the build's
    quart d'heure, read from its stored fields (the basket score: no gamme scope)."""
    return (
        ind.theme == "access"
        and ind.kind == kind
        and not ind.scope
        and (mode is None or ind.mode == mode)
        and threshold is not None
        and ind.threshold_min == threshold
    )


# A default indicator must have a value for at least this share of the communes.
_DEFAULT_MIN_COVERAGE = 0.5


def default_indicator(
    indicators: Sequence[Indicator], coverage: Mapping[str, float] | None = None
) -> str:
    """The everyday-basket score on foot when built, else a share within the quart
    d'heure (:func:`dashboards.queries.quarter_hour_of`), else the first indicator of
    the first theme; ``density`` without indicator tables.

    With ``coverage`` (share of communes with a value, per indicator), the preferred
    indicators without a value for half of the communes are passed over (e.g. the
    score in a national build where a source of the basket covers two départements).
    """
    registered = [i for i in indicators if i.theme != BASE_THEME]
    threshold_min = quarter_hour_of(registered)
    for usable in (True, False):
        for kind, mode in _DEFAULT_PREFERENCE:
            for ind in registered:
                covered = coverage is None or coverage.get(ind.id, 0.0) >= _DEFAULT_MIN_COVERAGE
                wanted = _preferred(ind, kind, mode, threshold_min)
                if wanted and (covered or not usable):
                    return ind.id
    for theme in THEMES:
        for ind in registered:
            if ind.theme == theme:
                return ind.id
    ids_ = [i.id for i in indicators]
    return "density" if "density" in ids_ else (ids_[0] if ids_ else "")


def dropdown(id_: str | dict[str, str], **kwargs: Any) -> dcc.Dropdown:
    """A dcc.Dropdown with French texts."""
    return dcc.Dropdown(id=id_, labels=DROPDOWN_FR, **kwargs)


def field(label: str, control: Component, for_id: str, help_text: str = "") -> html.Div:
    children: list[Component] = [html.Label(label, htmlFor=for_id, className="field-label")]
    children.append(control)
    if help_text:
        children.append(html.P(help_text, className="field-help"))
    return html.Div(children, className="field")


def radio(id_: str, options: dict[str, str], value: str, label: str) -> html.Fieldset:
    """Radio buttons in a fieldset whose legend labels the group."""
    return html.Fieldset(
        [
            html.Legend(label, className="field-label"),
            dcc.RadioItems(
                id=id_,
                options=[{"label": v, "value": k} for k, v in options.items()],
                value=value,
                className="radio",
                inputClassName="radio-input",
                labelClassName="radio-label",
            ),
        ],
        className="field",
    )


def transit_toggle(n_stops: int, on: bool = False) -> list[Component]:
    """The stops layer switch; hidden (but present, for its callback) when the
    warehouse has no stop of a GTFS timetable."""
    return [
        html.Fieldset(
            [
                html.Legend("Transports en commun", className="field-label"),
                dcc.Checklist(
                    id=ids.TRANSIT_TOGGLE,
                    options=[{"label": f"Arrêts ({n_stops})", "value": "stops"}],
                    value=["stops"] if on and n_stops else [],
                    className="radio",
                    inputClassName="radio-input",
                    labelClassName="radio-label",
                ),
                html.P(
                    "Taille : départs des lignes régulières un jour de semaine de référence "
                    "(horaires GTFS chargés).",
                    className="field-help",
                ),
            ],
            className="field",
            hidden=not n_stops,
        )
    ]


def map_controls(
    *,
    levels: Sequence[str],
    level: str,
    indicators: Sequence[Indicator],
    indicator: str,
    classification: str,
    k: int,
    palette: str,
    service_types: Sequence[ServiceType],
    facilities: Sequence[str],
    basemap: bool,
    has_indicator_tables: bool,
    missing_sources: Mapping[str, Sequence[str]] | None = None,
    n_stops: int = 0,
    stops: bool = False,
) -> list[Component]:
    notice = (
        []
        if has_indicator_tables
        else [
            html.P(
                "Indicateurs d'accès non calculés dans cet entrepôt : seules les données "
                "de base (population, densité, équipements pour 10 000 habitants) sont "
                "proposées.",
                className="notice",
            )
        ]
    )
    facility_help = (
        "Points regroupés ; cliquez un groupe pour zoomer."
        if service_types
        else "Aucun équipement chargé dans cet entrepôt."
    )
    options = indicator_options(indicators, missing_sources)
    primary = [
        radio(ids.LEVEL, {lv: LEVEL_OPTIONS[lv] for lv in levels}, level, "Niveau"),
        field(
            "Indicateur",
            dropdown(
                ids.INDICATOR,
                # the chosen one only: the rest come once the map is painted
                # (territoires.pickerAll), the dropdown's search index of 245
                # indicators took 0.3-0.9 s of the first page's main thread
                options=[o for o in options if o["value"] == indicator] or options,
                value=indicator,
                clearable=False,
                searchable=True,
                optionHeight=48,
            ),
            ids.INDICATOR,
        ),
        # every option, filtered by word in the browser as the user types
        # (territoires.pickerOptions: "ESS" finds the ESS theme, not "Accessibilité")
        dcc.Store(id=ids.INDICATOR_OPTIONS, data=options),
        *notice,
    ]
    secondary = [
        radio(ids.CLASSIFICATION, CLASSIFICATIONS, classification, "Classification"),
        field(
            "Nombre de classes",
            dropdown(
                ids.CLASSES,
                options=[{"label": str(n), "value": n} for n in range(MIN_K, MAX_K + 1)],
                value=k,
                clearable=False,
                searchable=False,
            ),
            ids.CLASSES,
        ),
        radio(ids.PALETTE, PALETTES, palette, "Palette (lisible par les daltoniens)"),
        field(
            "Équipements affichés",
            dropdown(
                ids.FACILITY_TYPES,
                options=[
                    {"label": f"{st.label} ({st.n_facilities})", "value": st.code}
                    for st in service_types
                ],
                value=list(facilities),
                multi=True,
                placeholder="Aucun",
                disabled=not service_types,
            ),
            ids.FACILITY_TYPES,
            facility_help,
        ),
        *transit_toggle(n_stops, stops),
        html.Fieldset(
            [
                html.Legend("Fond de carte", className="field-label"),
                dcc.Checklist(
                    id=ids.BASEMAP,
                    options=[{"label": "OpenStreetMap (nécessite Internet)", "value": "osm"}],
                    value=["osm"] if basemap else [],
                    className="radio",
                    inputClassName="radio-input",
                    labelClassName="radio-label",
                ),
                html.P("Sans connexion, la carte reste sur fond neutre.", className="field-help"),
            ],
            className="field",
        ),
    ]
    # Level and indicator first; the rest folds away on a phone (assets/territoires_map.js
    # closes it under 700 px wide) so that the map comes right after the indicator.
    return [
        *primary,
        html.Details(
            [html.Summary("Classes, palette, équipements, fond de carte"), *secondary],
            id=ids.MORE_CONTROLS,
            open=True,
            className="more-controls fold-on-phone",
        ),
    ]


def goto_buttons(overseas: Sequence[tuple[str, str]]) -> html.Nav | None:
    """Shortcuts from mainland France to each overseas département of the build
    (``(territory, name)`` pairs); nothing when the build has none."""
    if not overseas:
        return None
    places = [("metropole", "France métropolitaine"), *overseas]
    return html.Nav(
        [html.Span("Aller à :", className="goto-label")]
        + [
            html.Button(name, id={"type": ids.GOTO, "place": place}, n_clicks=0, type="button")
            for place, name in places
        ],
        className="goto no-print",
        **{"aria-label": "Aller à une partie du territoire"},
    )
