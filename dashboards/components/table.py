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

from dashboards.formatting import CONFIDENTIAL_TEXT, MISSING_TEXT, titled
from dashboards.queries import Indicator, Territory, Value

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
    ind: Indicator, level_label: str, notes: Sequence[str] = ()
) -> list[dict[str, Any]]:
    return [
        {"field": "code", "headerName": "Code", "width": 110, "filter": True},
        {"field": "name", "headerName": level_label, "flex": 2, "filter": True},
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
        {"field": "rank", "headerName": "Rang", "width": 100, "type": "numericColumn"},
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


def row_data(
    places: Sequence[Territory],
    values: Sequence[Value],
    ranks: Sequence[int | None],
    notes: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One row per territory; ``status`` in short words (secret, missing, partial
    territory), ``why`` (1 + position in ``notes``) only on a missing value whose
    note is in ``notes``."""
    position = {n: i + 1 for i, n in enumerate(notes)}
    rows = []
    for p, v, r in zip(places, values, ranks, strict=True):
        status = CONFIDENTIAL_TEXT if v.secret else (MISSING_TEXT if v.value is None else "")
        if not p.complete:
            status = (status + " ; " if status else "") + "territoire partiel"
        row: dict[str, Any] = {
            "code": p.code,
            "name": p.name,
            "value": None if v.secret else v.value,
            "secret": v.secret,
            "rank": r,
            "status": status,
        }
        if v.value is None and not v.secret and v.note in position:
            row["why"] = position[v.note]
        rows.append(row)
    return rows


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
