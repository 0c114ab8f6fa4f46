"""The page shell: header with navigation and territory search, message area,
page container, footer with the permalink, stores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.search import Hit

NAV = (
    (ids.NAV_CARTE, "Carte", "/"),
    (ids.NAV_PORTRAIT, "Portrait", "/portrait"),
    (ids.NAV_DONNEES, "Données & méthodes", "/donnees"),
)


def layout(
    build_text: str,
    print_sources: str = "",
    first: tuple[Any, Any, Any] | None = None,
) -> html.Div:
    """Everything that stays on screen whatever the page; ``print_sources`` is the
    line printed at the foot of every printed page (``setTitle`` in
    assets/territoires_map.js puts it, and the page's title, in the page margins).
    ``first``: (page, messages, view) of the address the browser opened, sent with the
    layout (``router.render``); without it the router's callback renders the page."""
    page, messages, view = first or (None, None, None)
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.VIEW, storage_type="memory", data=view),
            dcc.Store(id=ids.PERMALINK, storage_type="memory"),
            html.Span(id=ids.PAGE_TITLE, hidden=True),
            html.Span(print_sources, id=ids.PRINT_SOURCES, hidden=True),
            html.A("Aller au contenu", href=f"#{ids.PAGE}", className="skip-link"),
            header(),
            html.Div(messages, id=ids.MESSAGES, role="alert", className="messages"),
            html.Main(page, id=ids.PAGE, className="page", tabIndex="-1"),
            footer(build_text),
        ],
        className="app",
    )


def header() -> html.Header:
    return html.Header(
        [
            html.Div(
                [
                    html.Span("Territoires", className="brand-name"),
                    html.Span("équité territoriale", className="brand-tag"),
                ],
                className="brand",
            ),
            html.Nav(
                html.Ul([html.Li(dcc.Link(label, id=id_, href=href)) for id_, label, href in NAV]),
                className="nav no-print",
                **{"aria-label": "Pages"},
            ),
            search_box(),
        ],
        className="app-header",
    )


def search_box() -> html.Div:
    return html.Div(
        [
            html.Label(
                "Rechercher un territoire", htmlFor=ids.SEARCH_INPUT, className="search-label"
            ),
            dcc.Input(
                id=ids.SEARCH_INPUT,
                type="search",
                # No debounce: Dash 4's timed debounce re-renders the input while
                # the user types and can reorder letters ("Rennes" -> "Resnne").
                # Each keystroke is one cheap in-memory lookup.
                debounce=False,
                placeholder="Commune, EPCI, département, région ; code INSEE ou postal",
                autoComplete="off",
                className="search-input",
            ),
            html.Div(id=ids.SEARCH_RESULTS, className="search-results", **{"aria-live": "polite"}),
        ],
        className="search no-print",
        role="search",
    )


def search_results(hits: Sequence[Hit], text: str) -> list[Component] | html.P | str:
    """A list of buttons (keyboard reachable), or a sentence when nothing matches."""
    if not text.strip():
        return ""
    if not hits:
        return html.P(
            f"Aucun territoire de cet entrepôt ne correspond à « {text.strip()} ».",
            className="search-empty",
        )
    return [
        html.P(f"{len(hits)} résultat(s)", className="sr-only"),
        html.Ul(
            [
                html.Li(
                    html.Button(
                        [html.Span(h.label), html.Small(h.why, className="hit-why")],
                        id={"type": ids.SEARCH_HIT, "code": h.code},
                        n_clicks=0,
                        className="search-hit",
                        type="button",
                    )
                )
                for h in hits
            ],
            className="search-list",
        ),
    ]


def footer(build_text: str) -> html.Footer:
    return html.Footer(
        [
            html.P(build_text, className="build-info"),
            html.Div(
                [
                    html.Label("Lien permanent de cette vue", htmlFor=ids.PERMALINK_TEXT),
                    dcc.Input(
                        id=ids.PERMALINK_TEXT, type="text", readOnly=True, className="permalink"
                    ),
                ],
                className="permalink-box no-print",
            ),
        ],
        className="app-footer",
    )


def messages(items: Sequence[str]) -> list[Component]:
    """Clear French messages for bad URL parameters (never a stack trace)."""
    if not items:
        return []
    return [html.Ul([html.Li(m) for m in items], className="message-list")]
