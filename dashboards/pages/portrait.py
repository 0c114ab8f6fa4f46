"""Portrait de territoire: every indicator against a reference territory the user
chooses, ranks, population beyond the build's quart d'heure, fracture indices. Printable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import (
    MATCH,
    ClientsideFunction,
    Dash,
    Input,
    Output,
    State,
    ctx,
    dcc,
    html,
    no_update,
)
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboards import ids, queries
from dashboards.components import portrait as builders
from dashboards.components.controls import dropdown
from dashboards.permalink import (
    Context,
    ViewState,
    check_territory,
    join_territory,
    split_territory,
    to_url,
)
from dashboards.portrait_data import default_reference, reference_options, reference_value
from dashboards.portrait_data import portrait as gather
from dashboards.queries import Warehouse


def _content(wh: Warehouse, state: ViewState) -> tuple[str, list[dict[str, Any]], str, Any]:
    """(title, reference options, reference value, body) for a view."""
    p = gather(wh, state.territory, state.reference) if state.territory else None
    if p is None:
        return "Portrait de territoire", [], "", _choose(wh, state)
    options = [{"label": o.label, "value": o.value, "disabled": o.disabled} for o in p.options]
    chosen = reference_value(p.reference) if p.reference is not None else ""
    labels = {st.code: st.label for st in queries.service_types(wh)}
    return f"Portrait : {builders.title(p)}", options, chosen, builders.portrait(p, labels)


def _choose(wh: Warehouse, state: ViewState) -> list[Component]:
    """No territory yet: say how to pick one, and link the larger territories."""
    links = []
    for level in ("departement", "epci"):
        for t in queries.territories(wh, level):
            view = state.with_(
                page="portrait", territory=join_territory(level, t.code), reference=""
            )
            links.append(html.Li(dcc.Link(t.name, href=to_url(view))))
    return [
        html.P(
            "Choisissez un territoire avec la recherche en haut de la page, ou en "
            "cliquant sur la carte.",
            className="notice",
        ),
        html.H2("Départements et EPCI de l'entrepôt"),
        html.Ul(links, className="link-list"),
    ]


def _shown_reference(wh: Warehouse, state: ViewState) -> str:
    """The reference a portrait of ``state`` shows (the chosen one, else the default)."""
    level, code = split_territory(state.territory) if state.territory else ("", "")
    t = queries.territory(wh, level, code) if state.territory else None
    if t is None:
        return ""
    options = reference_options(wh, t)
    usable = {o.value for o in options if not o.disabled}
    return state.reference if state.reference in usable else default_reference(options)


def layout(wh: Warehouse, state: ViewState) -> html.Div:
    return frame(*_content(wh, state))


def frame(title: str, options: list[dict[str, Any]], chosen: str, body: Any) -> html.Div:
    """The portrait page around its body: title, reference picker, print button.
    With an empty body it holds every id of the page's callbacks (the validation
    layout; the body of a territory adds none, tested)."""
    return html.Div(
        [
            html.H1(title, id=ids.PORTRAIT_TITLE, className="page-title"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(
                                "Territoire de référence",
                                htmlFor=ids.REFERENCE,
                                className="field-label",
                            ),
                            dropdown(
                                ids.REFERENCE,
                                options=options,
                                value=chosen,
                                clearable=False,
                                disabled=not options,
                            ),
                        ],
                        className="field reference-field",
                    ),
                    html.Button(
                        "Imprimer ou enregistrer en PDF",
                        id=ids.PRINT,
                        n_clicks=0,
                        type="button",
                        className="button",
                    ),
                    dcc.Store(id=ids.PRINT_DUMMY),
                    dcc.Store(id=ids.selection("portrait")),
                ],
                className="portrait-controls no-print",
            ),
            html.Div(body, id=ids.PORTRAIT_BODY, className="portrait-body"),
        ],
        className="portrait",
    )


def register(app: Dash, wh_of: Callable[[], Warehouse], context: Callable[[], Context]) -> None:
    @app.callback(
        Output(ids.PORTRAIT_TITLE, "children"),
        Output(ids.REFERENCE, "options"),
        Output(ids.REFERENCE, "value"),
        Output(ids.REFERENCE, "disabled"),
        Output(ids.PORTRAIT_BODY, "children"),
        Output(ids.VIEW, "data", allow_duplicate=True),
        Input(ids.REFERENCE, "value"),
        Input(ids.selection("portrait"), "data"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def update_portrait(
        reference: str | None, selection: dict[str, Any] | None, view: dict[str, Any] | None
    ) -> tuple[Any, ...]:
        wh = wh_of()
        state = ViewState.from_dict(view).with_(page="portrait")
        if ids.is_selection(ctx.triggered_id) and selection:
            checked = check_territory(str(selection.get("territory", "")), context())
            if not isinstance(checked, tuple):
                raise PreventUpdate
            state = state.with_(territory=join_territory(*checked), reference="")
        else:
            shown = _shown_reference(wh, state)
            if reference and reference == shown:
                # the dropdown reporting the reference the page already shows (Dash 4
                # does so when the page is drawn): keep the portrait, record the reference
                return (*(no_update,) * 5, state.with_(reference=shown).to_dict())
            state = state.with_(reference=reference or "")
        title, options, chosen, body = _content(wh, state)
        state = state.with_(reference=chosen)
        return title, options, chosen, not options, body, state.to_dict()

    @app.callback(
        Output(ids.portrait_folded(MATCH), "children"),
        Input(ids.portrait_fold(MATCH), "n_clicks"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def unfold_theme(clicks: int | None, view: dict[str, Any] | None) -> Any:
        """A folded theme's table, built the first time its summary opens it."""
        if clicks != 1 or not isinstance(ctx.triggered_id, dict):
            raise PreventUpdate  # built already (closing or reopening keeps it)
        state = ViewState.from_dict(view)
        p = gather(wh_of(), state.territory, state.reference) if state.territory else None
        if p is None:
            raise PreventUpdate
        return builders.theme_table(p, str(ctx.triggered_id["theme"]))

    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="printPage"),
        Output(ids.PRINT_DUMMY, "data"),
        Input(ids.PRINT, "n_clicks"),
        prevent_initial_call=True,
    )
