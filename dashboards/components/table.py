"""The data-table twin of the map (dash-ag-grid, French locale text).

The ``Statut`` column says in words what the map shows: secret, missing (with the
warehouse's reason), partial territory, commitment met or not with its margin. To
keep the indicator switch small, the reasons travel once in the column definition
(the distinct notes) and each row carries only the position of its note (``why``);
the commitment sentence is written in the browser from the value and the target
(``frStatus`` in ``assets/territoires_grid.js``, same words as ``dashboards.notes``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag

from dashboards.formatting import number, titled
from dashboards.queries import Indicator, Territory

# French texts of the grid's own labels (ag-grid has no bundled locale in dash-ag-grid).
LOCALE_FR = {
    "page": "Page",
    "more": "Plus",
    "to": "à",
    "of": "sur",
    "next": "Suivante",
    "last": "Dernière",
    "first": "Première",
    "previous": "Précédente",
    "loadingOoo": "Chargement…",
    "noRowsToShow": "Aucune ligne à afficher",
    "filterOoo": "Filtrer…",
    "equals": "Égal à",
    "notEqual": "Différent de",
    "blank": "Vide",
    "notBlank": "Non vide",
    "empty": "Choisir…",
    "lessThan": "Inférieur à",
    "greaterThan": "Supérieur à",
    "lessThanOrEqual": "Inférieur ou égal à",
    "greaterThanOrEqual": "Supérieur ou égal à",
    "inRange": "Entre",
    "inRangeStart": "De",
    "inRangeEnd": "À",
    "contains": "Contient",
    "notContains": "Ne contient pas",
    "startsWith": "Commence par",
    "endsWith": "Se termine par",
    "andCondition": "ET",
    "orCondition": "OU",
    "applyFilter": "Appliquer",
    "resetFilter": "Réinitialiser",
    "clearFilter": "Effacer",
    "cancelFilter": "Annuler",
    "pageSizeSelectorLabel": "Lignes par page :",
    "ariaPageSizeSelectorLabel": "Lignes par page",
    "sortAscending": "Tri croissant",
    "sortDescending": "Tri décroissant",
    "columnFilter": "Filtre de colonne",
    "ariaFilterInput": "Saisie du filtre",
    "ariaFilterValue": "Valeur du filtre",
    "ariaRowSelect": "Appuyer sur Espace pour sélectionner la ligne",
    "ariaSearch": "Rechercher",
    "thousandSeparator": "\u202f",
    "decimalSeparator": ",",
}


def status_getter(ind: Indicator, notes: Sequence[str] = ()) -> str:
    """The ``Statut`` value getter: ``frStatus(params, [notes], target, unit, decimals)``
    (JSON literals: the strings are escaped, never code)."""
    args = [list(notes), ind.target_max, ind.unit, int(ind.decimals)]
    return "frStatus(params, " + ", ".join(json.dumps(a, ensure_ascii=False) for a in args) + ")"


def column_defs(
    ind: Indicator, level_label: str, notes: Sequence[str] = (), *, beyond: bool = False
) -> list[dict[str, Any]]:
    """Columns of the table twin; ``beyond``: a column of the inhabitants beyond the
    indicator's threshold (share indicators, ``choropleth.beyond_values``)."""
    cols: list[dict[str, Any]] = [
        {"field": "code", "headerName": "Code", "width": 110, "filter": True},
        {"field": "name", "headerName": level_label, "flex": 2, "filter": True},
        {
            "field": "population",
            "headerName": "Population",
            "width": 130,
            "type": "numericColumn",
            "filter": "agNumberColumnFilter",
            "valueFormatter": {"function": "frNumber(params.value, 0)"},
        },
        {
            "field": "value",
            "headerName": titled(ind),
            "flex": 2,
            "type": "numericColumn",
            "filter": "agNumberColumnFilter",
            "valueFormatter": {"function": f"frValue(params, {int(ind.decimals)})"},
            "cellClassRules": {
                "cell-secret": "params.data && params.data.secret",
                "cell-missing": "params.data && !params.data.secret && params.value == null",
            },
        },
    ]
    if beyond:
        cols.append(
            {
                "field": "beyond",
                "headerName": f"Habitants au-delà de {minutes_label(ind.threshold_min)}",
                "width": 170,
                "type": "numericColumn",
                "filter": "agNumberColumnFilter",
                "valueFormatter": {"function": "frNumber(params.value, 0)"},
            }
        )
    cols += [
        {
            "field": "rank",
            "headerName": "Rang (1 = plus favorable)",
            "width": 170,
            "type": "numericColumn",
            "filter": "agNumberColumnFilter",
            "valueFormatter": {"function": "frRank(params)"},
            "headerTooltip": (
                "1 = situation la plus favorable, parmi les territoires ayant une valeur ; "
                "ex aequo (n) : n territoires ont la même valeur"
            ),
        },
        {
            "field": "status",
            "headerName": "Statut",
            "flex": 3,
            "minWidth": 200,
            "valueGetter": {"function": status_getter(ind, notes)},
            "wrapText": True,
            "autoHeight": True,
            "cellClass": "cell-status",
            "filter": True,
        },
    ]
    return cols


def minutes_label(minutes: float | None) -> str:
    """``15 min`` (the threshold as a column header says it; "le seuil" when unknown)."""
    if minutes is None:
        return "seuil"
    return f"{number(minutes, 0 if float(minutes).is_integer() else 1)} min"


def base_data(places: Sequence[Territory]) -> dict[str, Any]:
    """What the table twin's rows share across indicators, sent once per level: codes,
    names, populations and the positions of partial territories. The browser joins
    them with each indicator's ``hideout`` (``territoires.gridRows``), so switching
    indicator never resends 34 875 names."""
    return {
        "code": [p.code for p in places],
        "name": [p.name for p in places],
        "pop": [None if p.population is None else round(p.population) for p in places],
        "partial": [i for i, p in enumerate(places) if not p.complete],
    }


def grid(id_: str, columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dag.AgGrid:
    return dag.AgGrid(
        id=id_,
        columnDefs=columns,
        rowData=rows,
        defaultColDef={"sortable": True, "resizable": True},
        dashGridOptions={
            "localeText": LOCALE_FR,
            "pagination": True,
            "paginationPageSize": 20,
            "paginationPageSizeSelector": [20, 50, 100],
            "rowSelection": {
                "mode": "singleRow",
                "enableClickSelection": True,
                "checkboxes": False,
            },
            "animateRows": False,
        },
        getRowId="params.data.code",
        className="grid",
        style={"height": "480px"},
    )
