"""Portrait of a territory (pure builder): indicators against a reference territory,
ranks, population beyond the quart d'heure (the build's threshold, 15 minutes unless
built with ``--threshold``), public-service commitments, fracture indices.
A blank value says why ("non disponible : source partielle", the full note as its
``title``). Printable."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dash import html
from dash.development.base_component import Component

from dashboards import ids, notes
from dashboards.components import charts, fractures
from dashboards.components.controls import theme_label
from dashboards.components.row_table import stackable
from dashboards.figures.locator import data_uri
from dashboards.formatting import indicator_value, integer, number, rank_text, with_unit
from dashboards.permalink import LEVEL_LABELS
from dashboards.portrait_data import Portrait, Row
from dashboards.queries import Territory

NOT_COMPUTED = "indicateurs d'accès non calculés dans cet entrepôt"


def title(p: Portrait) -> str:
    t = p.territory
    where = f", {t.dep_code}" if t.level == "commune" and t.dep_code else ""
    return f"{t.name} ({LEVEL_LABELS[t.level]}{where})"


def _value(r: Row) -> str:
    return indicator_value(r.value, r.indicator, r.indicator.decimals, secret=r.secret)


def _reference(r: Row) -> str:
    ind = r.indicator
    return indicator_value(r.reference, ind, ind.decimals, secret=r.reference_secret)


def blank(note: str | None) -> html.Span:
    """A missing value in words with its short reason, the full note as ``title``."""
    return html.Span(notes.missing_text(note), title=note or None, className="value-missing")


def _value_cell(r: Row) -> str | html.Span:
    return blank(r.note) if r.value is None and not r.secret and r.note else _value(r)


def _reference_cell(r: Row) -> str | html.Span:
    if r.reference is None and not r.reference_secret and r.reference_note:
        return blank(r.reference_note)
    return _reference(r)


def _gap(r: Row) -> str:
    if r.value is None or r.reference is None:
        return "—"
    diff = r.value - r.reference
    sign = "+" if diff > 0 else ""
    return f"{sign}{number(diff, r.indicator.decimals)}"


def _population(t: Territory) -> str:
    """A partly built territory's population would be its built part's: not shown."""
    if not t.complete:
        return "non disponible (seule une partie de ses communes est construite)"
    return with_unit(t.population, "hab.", 0)


def _rank(r: Row) -> str:
    return rank_text(r.rank, r.n_tied, r.n_ranked)


def indicator_table(rows: Sequence[Row], reference_name: str, *, caption: str) -> html.Table:
    head = html.Thead(
        html.Tr(
            [
                html.Th("Indicateur", scope="col"),
                html.Th("Territoire", scope="col"),
                html.Th(reference_name, scope="col"),
                html.Th("Écart", scope="col"),
                html.Th("Rang", scope="col"),
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Th(r.indicator.label, scope="row", title=r.indicator.definition),
                    html.Td(_value_cell(r), className="num"),
                    html.Td(_reference_cell(r), className="num"),
                    html.Td(_gap(r), className="num"),
                    html.Td(_rank(r), className="num"),
                ]
            )
            for r in rows
        ]
    )
    return stackable(html.Table([html.Caption(caption), head, body], className="portrait-table"))


_MODES = (("walk", "à pied"), ("bike", "à vélo"), ("car", "en voiture"))


def _pivot(
    caption: str,
    grid: dict[str, dict[str, Row]],
    labels: dict[str, str],
    cell: Callable[[Row], str | list[str | html.Span]],
) -> html.Table:
    head = html.Thead(
        html.Tr([html.Th("Équipement", scope="col")] + [html.Th(m, scope="col") for _, m in _MODES])
    )
    body = html.Tbody(
        [
            html.Tr(
                [html.Th(labels.get(st, st), scope="row")]
                + [
                    html.Td(cell(by_mode[m]) if m in by_mode else "—", className="num")
                    for m, _ in _MODES
                ]
            )
            for st, by_mode in sorted(grid.items(), key=lambda kv: labels.get(kv[0], kv[0]))
        ]
    )
    return stackable(html.Table([html.Caption(caption), head, body], className="portrait-table"))


def _share_cell(r: Row) -> list[str | html.Span]:
    return [_value_cell(r), " (réf. ", _reference_cell(r), ")"]


def _beyond_cell(r: Row) -> str | list[str | html.Span]:
    if r.numerator is None or r.denominator is None:
        if r.value is None and not r.secret and r.note:
            return [blank(r.note)]
        return with_unit(None, "", 0, secret=r.secret)
    beyond = max(r.denominator - r.numerator, 0.0)
    share = 100.0 * beyond / r.denominator if r.denominator else None
    return f"{integer(beyond)} hab. ({with_unit(share, '%', 1)})"


def access_summary(p: Portrait, labels: dict[str, str]) -> list[Component]:
    """Share of inhabitants within the quart d'heure, by service type and mode."""
    grid = p.share_grid()
    if not grid:
        return [html.P(f"Accès en {p.minutes} : {NOT_COMPUTED}.", className="notice")]
    caption = f"Part de la population à {p.minutes} ou moins (territoire, et référence)"
    return [_pivot(caption, grid, labels, _share_cell)]


def beyond_quarter_hour(p: Portrait, labels: dict[str, str]) -> Component:
    """Inhabitants beyond the quart d'heure, from the share indicators' numerator
    (people within) and denominator (population)."""
    grid = p.share_grid()
    if not grid:
        return html.P(f"Population au-delà de {p.minutes} : {NOT_COMPUTED}.", className="notice")
    caption = f"Habitants au-delà de {p.minutes} (et part de la population)"
    return _pivot(caption, grid, labels, _beyond_cell)


BASKET_TITLE = "Panier du quotidien, équipement par équipement"


def _presence_cell(r: Row, commune: bool) -> str | html.Span | list[str | html.Span]:
    """A commune: "oui" / "non" (100 / 0); another territory: the share of its
    inhabitants whose commune is equipped; with the reference's share."""
    if commune and r.value is not None and not r.secret:
        own: str | html.Span = "oui" if r.value >= 50.0 else "non"
    else:
        own = _value_cell(r)
    return [own, " (réf. ", _reference_cell(r), ")"]


def _times_cell(times: Sequence[tuple[str, Row]]) -> list[Component | str]:
    """Median car time to the nearest facility of each type of the item."""
    if not times:
        return ["—"]
    if len(times) == 1:
        return [_value_cell(times[0][1])]
    out: list[Component | str] = []
    for i, (label, r) in enumerate(times):
        if i:
            out.append(html.Br())
        out.extend([f"{label} : ", _value_cell(r)])
    return out


def basket_items(p: Portrait) -> list[Component]:
    """The basket item by item: present in the commune (for a commune) or share of
    inhabitants whose commune has it, and the median time to the nearest by car."""
    lines = p.basket()
    if not lines:
        return []
    commune = p.territory.level == "commune"
    present = "Présent dans la commune" if commune else "Habitants dont la commune est équipée"
    head = html.Thead(
        html.Tr(
            [
                html.Th("Équipement", scope="col"),
                html.Th(f"{present} (référence)", scope="col"),
                html.Th("Temps médian jusqu'au plus proche, en voiture", scope="col"),
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Th(line.label, scope="row"),
                    html.Td(_presence_cell(line.presence, commune), className="num"),
                    html.Td(_times_cell(line.times), className="num"),
                ]
            )
            for line in lines
        ]
    )
    return [
        html.H2(BASKET_TITLE),
        stackable(html.Table([html.Caption(BASKET_TITLE), head, body], className="portrait-table")),
    ]


COMMITMENTS_TITLE = "Engagements de service public"


def _verdict(value: float | None, r: Row) -> html.Span:
    """``Engagement tenu (marge : 3,2 points)`` in words (and colour)."""
    met = value is not None and notes.commitment_met(value, r.indicator)
    return html.Span(
        notes.commitment_status(value, r.indicator),
        className="commitment-met" if met else "commitment-unmet",
    )


def _own_verdict(r: Row) -> str | html.Span:
    """The territory's verdict, or why it is not known (blank or secret value)."""
    return _verdict(r.value, r) if r.value is not None else _value_cell(r)


def _reference_verdict(r: Row) -> list[str | html.Span] | str | html.Span:
    """The reference's value and, when known, whether it meets the commitment."""
    if r.reference is None:
        return _reference_cell(r)
    return [_reference(r), " — ", _verdict(r.reference, r)]


def commitments(p: Portrait, reference_name: str) -> list[Component]:
    """The "Engagements de service public" section: each commitment indicator with its
    value, target, met or not and the margin, for the territory and its reference.
    Nothing when the warehouse has no commitment indicator."""
    rows = [r for r in p.rows if notes.is_commitment(r.indicator)]
    if not rows:
        return []
    commune = p.territory.level == "commune"
    head = html.Thead(
        html.Tr(
            [
                html.Th("Engagement", scope="col"),
                html.Th("Valeur", scope="col"),
                html.Th("Cible", scope="col"),
                html.Th("Engagement tenu ?", scope="col"),
                html.Th(reference_name, scope="col"),
            ]
        )
    )
    body = []
    for r in rows:
        ind = r.indicator
        label: list[Component | str] = [ind.label]
        if commune and notes.departement_rule(ind):
            label.append(html.Span(f"({notes.DEPARTEMENT_RULE})", className="commitment-rule"))
        body.append(
            html.Tr(
                [
                    html.Th(label, scope="row", title=ind.definition),
                    html.Td(_value_cell(r), className="num"),
                    html.Td(notes.commitment_goal(ind)),
                    html.Td(_own_verdict(r)),
                    html.Td(_reference_verdict(r)),
                ]
            )
        )
    table = stackable(
        html.Table(
            [html.Caption("Valeur, cible et marge de chaque engagement"), head, html.Tbody(body)],
            className="portrait-table commitments-table",
        )
    )
    return [html.H2(COMMITMENTS_TITLE), table]


def one_point_notice(p: Portrait) -> list[Component]:
    """A commune whose values come from one population point (its town hall)."""
    if not p.one_point:
        return []
    return [
        html.P(
            notes.ONE_POINT_COMMUNE, id=ids.PORTRAIT_ONE_POINT, className="notice one-point-note"
        )
    ]


def locator(p: Portrait) -> list[Component]:
    """The locator map: the territory in red among its neighbours of the same level."""
    if p.locator is None:
        return []
    where = f"dans {p.locator_within}" if p.locator_within else "parmi ses voisins"
    text = f"Situation : {p.territory.name} (en rouge) {where}"
    return [
        html.Figure(
            [html.Img(src=data_uri(p.locator), alt=text), html.Figcaption(text)],
            className="locator",
        )
    ]


def portrait(p: Portrait, labels: dict[str, str]) -> list[Component]:
    """The printable portrait: essentials first, every indicator in a details block."""
    ref_name = p.reference.name if p.reference is not None else "Référence"
    t = p.territory
    out: list[Component] = [
        *locator(p),
        html.P(
            [
                f"Population : {_population(t)}",
                "" if t.complete else " — territoire partiellement dans l'entrepôt",
            ],
            className="portrait-pop",
        ),
    ]
    if p.reference_note:
        out.append(html.P(p.reference_note, className="notice"))
    out.extend(one_point_notice(p))
    out.append(html.H2(f"Accès aux services en {p.minutes}"))
    chart = charts.share_chart(p, labels, "walk")
    if chart is not None:
        out.append(chart)
    out.extend(access_summary(p, labels))
    scores = p.scores()
    if scores:
        out.append(indicator_table(scores, ref_name, caption="Score du quart d'heure"))
    out.extend(basket_items(p))
    out.append(html.H2(f"Population au-delà de {p.minutes}"))
    out.append(beyond_quarter_hour(p, labels))
    out.extend(commitments(p, ref_name))
    out.extend(fractures.section(p.fractures, commune=t.level == "commune"))
    registered = [r for r in p.rows if r.indicator.theme == "fracture"]
    if registered and t.level != "commune":  # NULL for communes: their EPCI's are above
        out.append(
            html.Div(
                indicator_table(
                    registered, ref_name, caption="Indicateurs de fracture et référence"
                ),
                className="fracture-block",
            )
        )
    out.append(html.H2("Tous les indicateurs"))
    themes = [th for th in dict.fromkeys(r.indicator.theme for r in p.rows) if th != "fracture"]
    for theme in themes:
        out.append(_theme_block(p, theme))
    return out


# Themes of "Tous les indicateurs" shown folded: their table is built when the reader
# opens them (access: ~200 indicators, 1,200 of the 2,200 components of a portrait,
# 0.2-0.3 s of every portrait's opening for a block most readers leave closed).
FOLDED_THEMES = frozenset({"access"})


def _theme_rows(p: Portrait, theme: str) -> list[Row]:
    return [r for r in p.rows if r.indicator.theme == theme]


def _theme_block(p: Portrait, theme: str) -> html.Details:
    rows = _theme_rows(p, theme)
    summary = f"{theme_label(theme)} ({len(rows)})"
    if theme not in FOLDED_THEMES:
        return html.Details([html.Summary(summary), theme_table(p, theme)], open=True)
    return html.Details(
        [
            html.Summary(summary, id=ids.portrait_fold(theme), n_clicks=0),
            html.Div(
                html.P(f"Chargement des {integer(len(rows))} indicateurs…", className="field-help"),
                id=ids.portrait_folded(theme),
            ),
        ],
        open=False,
    )


def theme_table(p: Portrait, theme: str) -> html.Table:
    """Every indicator of a theme: the territory, its reference, the gap and the rank."""
    ref_name = p.reference.name if p.reference is not None else "Référence"
    return indicator_table(_theme_rows(p, theme), ref_name, caption=theme_label(theme))


def panel(p: Portrait, indicator_id: str, portrait_href: str) -> list[Component]:
    """Short portrait beside the map: the current indicator against the reference,
    and a link to the full, printable portrait."""
    t = p.territory
    row = next((r for r in p.rows if r.indicator.id == indicator_id), None)
    ref_name = p.reference.name if p.reference is not None else "référence"
    out: list[Component] = [
        html.H2(title(p), className="panel-title"),
        html.P(f"Population : {_population(t)}"),
    ]
    if row is not None:
        verdict = (
            [html.Dd(_own_verdict(row))]
            if notes.is_commitment(row.indicator) and row.value is not None
            else []
        )
        out.append(
            html.Dl(
                [
                    html.Dt(row.indicator.label),
                    html.Dd(_value_cell(row)),
                    *verdict,
                    html.Dt(f"Référence : {ref_name}"),
                    html.Dd(_reference_cell(row)),
                    html.Dt("Rang"),
                    html.Dd(_rank(row)),
                ],
                className="panel-figures",
            )
        )
        if p.one_point and row.indicator.theme in notes.POINT_THEMES:
            out.append(html.P(notes.ONE_POINT_TIP + ".", className="field-help"))
    if p.reference_note:
        out.append(html.P(p.reference_note, className="notice"))
    out.append(html.A("Ouvrir le portrait complet", href=portrait_href, className="button"))
    return out
