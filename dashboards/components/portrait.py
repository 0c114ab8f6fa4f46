"""Portrait of a territory (pure builder): indicators against a reference territory,
ranks, population beyond 15 minutes, fracture indices. Printable."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dash import html

from dashboards.components import fractures
from dashboards.components.controls import theme_label
from dashboards.formatting import indicator_value, integer, number, with_unit
from dashboards.permalink import LEVEL_LABELS
from dashboards.portrait_data import Portrait, Row

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


def _gap(r: Row) -> str:
    if r.value is None or r.reference is None:
        return "—"
    diff = r.value - r.reference
    sign = "+" if diff > 0 else ""
    return f"{sign}{number(diff, r.indicator.decimals)}"


def _rank(r: Row) -> str:
    return f"{r.rank} / {r.n_ranked}" if r.rank is not None else "—"


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
                    html.Td(_value(r), className="num"),
                    html.Td(_reference(r), className="num"),
                    html.Td(_gap(r), className="num"),
                    html.Td(_rank(r), className="num"),
                ]
            )
            for r in rows
        ]
    )
    return html.Table([html.Caption(caption), head, body], className="portrait-table")


_MODES = (("walk", "à pied"), ("bike", "à vélo"), ("car", "en voiture"))
_SHARE_15 = "share_within_15min__"


def _by_service(rows: Sequence[Row], prefix: str) -> dict[str, dict[str, Row]]:
    """Rows of one indicator family keyed by service type then mode."""
    out: dict[str, dict[str, Row]] = {}
    for r in rows:
        ind = r.indicator
        if ind.id.startswith(prefix) and ind.service_type and ind.mode:
            out.setdefault(ind.service_type, {})[ind.mode] = r
    return out


def _pivot(
    caption: str,
    grid: dict[str, dict[str, Row]],
    labels: dict[str, str],
    cell: Callable[[Row], str],
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
    return html.Table([html.Caption(caption), head, body], className="portrait-table")


def _share_cell(r: Row) -> str:
    ref = _reference(r)
    return f"{_value(r)} (réf. {ref})"


def _beyond_cell(r: Row) -> str:
    if r.numerator is None or r.denominator is None:
        return with_unit(None, "", 0, secret=r.secret)
    beyond = max(r.denominator - r.numerator, 0.0)
    share = 100.0 * beyond / r.denominator if r.denominator else None
    return f"{integer(beyond)} hab. ({with_unit(share, '%', 1)})"


def access_summary(rows: Sequence[Row], labels: dict[str, str]) -> list[html.Component]:
    """Share of inhabitants within 15 minutes, by service type and mode."""
    grid = _by_service(rows, _SHARE_15)
    if not grid:
        return [html.P(f"Accès en 15 minutes : {NOT_COMPUTED}.", className="notice")]
    caption = "Part de la population à 15 minutes ou moins (territoire, et référence)"
    return [_pivot(caption, grid, labels, _share_cell)]


def beyond_15_minutes(rows: Sequence[Row], labels: dict[str, str]) -> html.Component:
    """Inhabitants beyond 15 minutes, from the 15-minute share indicators' numerator
    (people within) and denominator (population)."""
    grid = _by_service(rows, _SHARE_15)
    if not grid:
        return html.P(f"Population au-delà de 15 minutes : {NOT_COMPUTED}.", className="notice")
    caption = "Habitants au-delà de 15 minutes (et part de la population)"
    return _pivot(caption, grid, labels, _beyond_cell)


def portrait(p: Portrait, labels: dict[str, str]) -> list[html.Component]:
    """The printable portrait: essentials first, every indicator in a details block."""
    ref_name = p.reference.name if p.reference is not None else "Référence"
    t = p.territory
    out: list[html.Component] = [
        html.P(
            [
                f"Population : {with_unit(t.population, 'hab.', 0)}",
                "" if t.complete else " — territoire partiellement dans l'entrepôt",
            ],
            className="portrait-pop",
        )
    ]
    if p.reference_note:
        out.append(html.P(p.reference_note, className="notice"))
    out.append(html.H2("Accès aux services en 15 minutes"))
    out.extend(access_summary(p.rows, labels))
    scores = [r for r in p.rows if r.indicator.id.startswith("score_")]
    if scores:
        out.append(indicator_table(scores, ref_name, caption="Score du quart d'heure"))
    out.append(html.H2("Population au-delà de 15 minutes"))
    out.append(beyond_15_minutes(p.rows, labels))
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
        rows = [r for r in p.rows if r.indicator.theme == theme]
        out.append(
            html.Details(
                [
                    html.Summary(f"{theme_label(theme)} ({len(rows)})"),
                    indicator_table(rows, ref_name, caption=theme_label(theme)),
                ],
                open=theme != "access",
            )
        )
    return out


def panel(p: Portrait, indicator_id: str, portrait_href: str) -> list[html.Component]:
    """Short portrait beside the map: the current indicator against the reference,
    and a link to the full, printable portrait."""
    t = p.territory
    row = next((r for r in p.rows if r.indicator.id == indicator_id), None)
    ref_name = p.reference.name if p.reference is not None else "référence"
    out: list[html.Component] = [
        html.H2(title(p), className="panel-title"),
        html.P(f"Population : {with_unit(t.population, 'hab.', 0)}"),
    ]
    if row is not None:
        out.append(
            html.Dl(
                [
                    html.Dt(row.indicator.label),
                    html.Dd(_value(row)),
                    html.Dt(f"Référence : {ref_name}"),
                    html.Dd(_reference(row)),
                    html.Dt("Rang"),
                    html.Dd(_rank(row)),
                ],
                className="panel-figures",
            )
        )
    if p.reference_note:
        out.append(html.P(p.reference_note, className="notice"))
    out.append(html.A("Ouvrir le portrait complet", href=portrait_href, className="button"))
    return out
