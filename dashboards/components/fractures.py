"""The "Fractures territoriales" section of the portrait (pure builder).

Inequality between the member communes of a territory (``fracture_indices``, see
``warehouse/SCHEMA.md``) for the headline indicators, each index with a short
French definition; an index that could not be computed says "non calculable" and
why. For a commune: the indices of its EPCI and département, and its double-peine
status (``double_peine``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dash import html
from dash.development.base_component import Component

from dashboards.components.row_table import row_table, stackable
from dashboards.figures.locator import data_uri
from dashboards.figures.lorenz import lorenz_svg
from dashboards.formatting import display_unit, integer, number, with_unit
from dashboards.permalink import LEVEL_LABELS
from dashboards.portrait_data import FractureBlock, Fractures
from dashboards.queries import DoublePeine, FractureIndex, Indicator

NOT_COMPUTED = "Indices de fracture non calculés dans cet entrepôt."
NOT_COMPUTABLE = "non calculable"
INCOME_UNDER_SECRECY = "revenu soumis au secret"
DOUBLE_PEINE_SHARE = "double_peine_share"


@dataclass(frozen=True)
class IndexSpec:
    """How an index is named, defined and written (``decimals`` None: the
    indicator's own decimals and unit)."""

    id: str
    label: str
    definition: str
    decimals: int | None = None


INDEX_SPECS: tuple[IndexSpec, ...] = (
    IndexSpec(
        "gini",
        "Indice de Gini",
        "0 = toutes les communes au même niveau, 1 = tout concentré sur une commune.",
        3,
    ),
    IndexSpec(
        "theil",
        "Indice de Theil",
        "0 = égalité ; somme d'une part intra-groupes et d'une part inter-groupes.",
        3,
    ),
    IndexSpec("theil_within_epci", "Theil intra-EPCI", "Part due aux écarts au sein des EPCI.", 3),
    IndexSpec("theil_between_epci", "Theil inter-EPCI", "Part due aux écarts entre EPCI.", 3),
    IndexSpec(
        "theil_within_density",
        "Theil intra-densité",
        "Part due aux écarts au sein des classes de densité (grille INSEE).",
        3,
    ),
    IndexSpec(
        "theil_between_density",
        "Theil inter-densité",
        "Part due aux écarts entre classes de densité.",
        3,
    ),
    IndexSpec(
        "palma",
        "Rapport de Palma",
        "Part du total détenue par les 10 % de la population aux valeurs les plus hautes, "
        "rapportée à celle des 40 % aux valeurs les plus basses.",
        2,
    ),
    IndexSpec(
        "fifth_best_mean",
        "Cinquième le mieux desservi",
        "Moyenne des 20 % de la population les mieux placés.",
    ),
    IndexSpec(
        "fifth_worst_mean",
        "Cinquième le moins bien desservi",
        "Moyenne des 20 % de la population les moins bien placés.",
    ),
    IndexSpec(
        "fifth_gap",
        "Écart entre cinquièmes",
        "Moyenne du cinquième le plus haut moins celle du cinquième le plus bas.",
    ),
    IndexSpec("urban_mean", "Moyenne urbaine", "Communes urbaines (niveaux 1 à 4 de la grille)."),
    IndexSpec("rural_mean", "Moyenne rurale", "Communes rurales (niveaux 5 à 7 de la grille)."),
    IndexSpec("urban_rural_gap", "Écart urbain − rural", "Moyenne urbaine moins moyenne rurale."),
)


def _cell(found: FractureIndex | None, spec: IndexSpec, ind: Indicator) -> html.Td:
    if found is None or found.value is None:
        reason = found.note if found is not None and found.note else "indice absent"
        return html.Td(
            [NOT_COMPUTABLE, html.Br(), html.Span(reason, className="index-note")],
            className="num not-computable",
        )
    if spec.decimals is None:
        text = with_unit(found.value, display_unit(ind), ind.decimals)
    else:
        text = number(found.value, spec.decimals)
    return html.Td(text, className="num")


def _coverage(block: FractureBlock, ind: Indicator) -> str:
    row = next((x for x in block.indices if x.indicator_id == ind.id), None)
    if row is None or not row.n_communes:
        return "aucune"
    return f"{integer(row.n_communes)} ({integer(row.population_covered)} hab.)"


def index_table(block: FractureBlock, headlines: Sequence[Indicator]) -> html.Table:
    """Rows: indices (with their definition); columns: the headline indicators."""
    by_key = {(x.indicator_id, x.index_id): x for x in block.indices}
    head = html.Thead(
        html.Tr(
            [html.Th("Indice", scope="col")]
            + [html.Th(i.label, scope="col", className="num") for i in headlines]
        )
    )
    coverage = html.Tr(
        [html.Th("Communes couvertes (population)", scope="row")]
        + [html.Td(_coverage(block, i), className="num") for i in headlines]
    )
    rows = [
        html.Tr(
            [
                html.Th(
                    [spec.label, html.Br(), html.Span(spec.definition, className="index-def")],
                    scope="row",
                )
            ]
            + [_cell(by_key.get((i.id, spec.id)), spec, i) for i in headlines]
        )
        for spec in INDEX_SPECS
    ]
    caption = f"Inégalités entre les communes : {block.territory.name}"
    return stackable(
        html.Table(
            [html.Caption(caption), head, html.Tbody([coverage, *rows])],
            className="portrait-table fracture-table",
        )
    )


def _share_sentence(block: FractureBlock, headlines: Sequence[Indicator]) -> html.P | None:
    row = next((x for x in block.indices if x.index_id == DOUBLE_PEINE_SHARE), None)
    if row is None:
        return None
    ind = next((i for i in headlines if i.id == row.indicator_id), None)
    what = f" (accès : {ind.label})" if ind is not None else ""
    text = (
        with_unit(row.value, "%", 1)
        if row.value is not None
        else f"{NOT_COMPUTABLE} ({row.note or 'raison non renseignée'})"
    )
    return html.P(f"Population en double peine{what} : {text}.", className="double-peine-share")


def lorenz_figure(b: FractureBlock) -> list[Component]:
    """The Lorenz curve of the block's most unequal headline indicator."""
    if b.lorenz is None:
        return []
    lz = b.lorenz
    text = (
        f"Courbe de Lorenz — {lz.indicator.label}, communes de {b.territory.name} : "
        f"plus la courbe s'écarte de la diagonale, plus l'écart entre communes est grand "
        f"(indice de Gini {number(lz.gini, 3)})."
    )
    return [
        html.Figure(
            [html.Img(src=data_uri(lorenz_svg(lz.points)), alt=text), html.Figcaption(text)],
            className="lorenz",
        )
    ]


def block(b: FractureBlock, headlines: Sequence[Indicator]) -> html.Div:
    """One territory's indices (or why there are none)."""
    title = f"{b.territory.name} ({LEVEL_LABELS[b.territory.level]})"
    children: list[Component] = [html.H3(title)]
    if not b.indices:
        children.append(html.P(b.note or NOT_COMPUTABLE, className="notice"))
    else:
        children.append(index_table(b, headlines))
        children.extend(lorenz_figure(b))
        share = _share_sentence(b, headlines)
        if share is not None:
            children.append(share)
    return html.Div(children, className="fracture-block")


def double_peine_status(dp: DoublePeine) -> str:
    """The commune's status in one French sentence."""
    if dp.double_peine:
        return (
            "Double peine : revenus plus faibles et services plus éloignés que la médiane "
            "des communes du département."
        )
    if dp.poorer is None:
        known = (
            ""
            if dp.farther is None
            else (
                " ; services plus éloignés que la médiane"
                if dp.farther
                else " ; services pas plus éloignés que la médiane"
            )
        )
        if "secret" in dp.note:
            return f"Statut inconnu : {INCOME_UNDER_SECRECY}{known}."
        return f"Statut inconnu : {dp.note or 'revenu non connu'}{known}."
    if dp.farther is None:
        return f"Statut inconnu : {dp.note or 'accès non connu'}."
    if dp.poorer:
        return "Revenus plus faibles que la médiane du département, services pas plus éloignés."
    if dp.farther:
        return "Services plus éloignés que la médiane du département, revenus pas plus faibles."
    return "Ni revenus plus faibles, ni services plus éloignés que la médiane du département."


def _dp_value(x: float | None, unit: str, decimals: int, *, income: bool = False) -> str:
    if x is None and income:
        return INCOME_UNDER_SECRECY
    return with_unit(x, unit, decimals)


def double_peine(dp: DoublePeine | None, computed: bool, access: Indicator | None) -> html.Div:
    """The double-peine block of a commune portrait."""
    children: list[Component] = [html.H3("Double peine")]
    if dp is None:
        why = (
            "non calculée pour cette commune (revenus Filosofi absents ou département "
            "incomplet dans l'entrepôt)"
            if computed
            else "non calculée dans cet entrepôt (fichier Filosofi des communes non chargé)"
        )
        children.append(html.P(f"Double peine : {why}.", className="notice"))
        return html.Div(children, className="fracture-block")
    access_unit = display_unit(access) if access is not None else ""
    access_dec = access.decimals if access is not None else 2
    access_label = access.label if access is not None else dp.access_indicator_id
    rows = (
        (
            "Revenu médian (€ par unité de consommation)",
            _dp_value(dp.median_income_eur, "€", 0, income=True),
            with_unit(dp.ref_median_income_eur, "€", 0),
        ),
        (
            "Taux de pauvreté",
            with_unit(dp.poverty_rate_pct, "%", 1)
            if dp.poverty_rate_pct is not None
            else "non publié",
            with_unit(dp.ref_poverty_rate_pct, "%", 1),
        ),
        (
            access_label,
            with_unit(dp.access_value, access_unit, access_dec),
            with_unit(dp.ref_access_value, access_unit, access_dec),
        ),
    )
    children += [
        html.P(double_peine_status(dp), className="double-peine-status"),
        row_table(
            ("Critère", "Commune", "Médiane du département"),
            rows,
            class_name="portrait-table",
            caption="Commune et médiane des communes du département",
        ),
        html.P(
            "Plus pauvre : revenu médian sous la médiane des communes du département, ou "
            "taux de pauvreté publié au-dessus ; plus éloignée : score d'accès sous la "
            "médiane. Règle du projet, pas une statistique officielle.",
            className="field-help",
        ),
    ]
    return html.Div(children, className="fracture-block")


def section(f: Fractures | None, *, commune: bool) -> list[Component]:
    """Heading, introduction, one block per territory, double peine (communes)."""
    out: list[Component] = [html.H2("Fractures territoriales", className="fracture-title")]
    if f is None or not f.computed:
        out.append(html.P(NOT_COMPUTED, className="notice"))
        return out
    out.append(
        html.P(
            "Inégalités entre les communes du territoire (chaque commune pèse sa population ; "
            "les écarts à l'intérieur d'une commune ne sont pas mesurés).",
            className="field-help",
        )
    )
    if not f.headlines:
        out.append(html.P("Aucun indicateur phare de fracture ici.", className="notice"))
    else:
        out.extend(block(b, f.headlines) for b in f.blocks)
    if commune:
        access_id = f.double_peine.access_indicator_id if f.double_peine else ""
        access = next((i for i in f.headlines if i.id == access_id), None)
        out.append(double_peine(f.double_peine, f.double_peine_computed, access))
    return out
