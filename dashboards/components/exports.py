"""Exports of the current view, as bytes (pure functions; sent with ``dcc.send_bytes``).

* CSV for French spreadsheets: ``;`` separator, decimal comma, UTF-8 with a BOM
  written by hand (``dcc.send_data_frame(..., encoding="utf-8-sig")`` drops it).
* XLSX with a "Données" sheet and a "Métadonnées" sheet (indicator definition,
  sources, vintage, build, permalink).

Secret values are exported blank with their status, never as a number. These
builders are meant to move to the shared export code of ``territoires export``
(issue 4) once it exists; the dashboard will then call that code.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from dashboards.queries import Indicator, Territory, Value

BOM = b"\xef\xbb\xbf"
HEADER = (
    "code",
    "nom",
    "niveau",
    "indicateur",
    "valeur",
    "unité",
    "rang",
    "statut",
    "numérateur",
    "dénominateur",
)


@dataclass(frozen=True)
class ViewTable:
    """The rows of the current view, typed (numbers stay numbers until written)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    decimals: int


def view_table(
    level: str,
    places: Sequence[Territory],
    values: Sequence[Value],
    ranks: Sequence[int | None],
    ind: Indicator,
) -> ViewTable:
    rows = []
    for p, v, r in zip(places, values, ranks, strict=True):
        if v.secret:
            status, value, num, den = "secret statistique", None, None, None
        else:
            status = "manquante" if v.value is None else "valeur"
            value, num, den = v.value, v.numerator, v.denominator
        if not p.complete:
            status += " ; territoire partiel"
        rows.append((p.code, p.name, level, ind.id, value, ind.unit, r, status, num, den))
    return ViewTable(HEADER, tuple(rows), ind.decimals)


def csv_bytes(table: ViewTable, *, decimal_comma: bool = True) -> bytes:
    """``;``-separated UTF-8 with BOM; numbers with a decimal comma, no grouping."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_cell(x, decimal_comma) for x in row])
    return BOM + buf.getvalue().encode("utf-8")


def _cell(x: Any, decimal_comma: bool) -> str:
    """Numbers with up to 6 decimals (no rounding to the display precision)."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "oui" if x else "non"
    if isinstance(x, float):
        text = format(round(x, 6), "f").rstrip("0").rstrip(".") or "0"
        return text.replace(".", ",") if decimal_comma else text
    return str(x)


def metadata_rows(
    ind: Indicator,
    *,
    level: str,
    classification: str,
    k: int,
    permalink: str,
    build_info: Sequence[tuple[str, str]],
    exported_at: str,
) -> list[tuple[str, str]]:
    rows = [
        ("indicateur", ind.id),
        ("libellé", ind.label),
        ("unité", ind.unit),
        ("définition", ind.definition),
        ("formule", ind.formula),
        ("sources", ind.sources),
        ("millésime", ind.vintage),
        ("calcul", "tableau de bord (données de base)" if ind.computed_here else "entrepôt"),
        ("niveau", level),
        ("classification", f"{classification}, {k} classes"),
        ("lien permanent", permalink),
        ("exporté le", exported_at),
        ("secret statistique", "valeurs secrètes laissées vides (statut « secret statistique »)"),
    ]
    rows.extend((f"entrepôt : {key}", value) for key, value in build_info)
    return rows


def xlsx_bytes(table: ViewTable, metadata: Sequence[tuple[str, str]]) -> bytes:
    """Workbook with the data and a "Métadonnées" sheet."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = book.add_format({"bold": True})
    number = book.add_format({"num_format": "#,##0." + "0" * max(table.decimals, 1)})
    data = book.add_worksheet("Données")
    data.write_row(0, 0, table.header, bold)
    for r, row in enumerate(table.rows, start=1):
        for c, x in enumerate(row):
            if x is None:
                continue
            if isinstance(x, float):
                data.write_number(r, c, x, number)
            elif isinstance(x, int) and not isinstance(x, bool):
                data.write_number(r, c, x)
            else:
                data.write_string(r, c, str(x))
    data.freeze_panes(1, 0)
    data.set_column(0, 0, 12)
    data.set_column(1, 1, 32)
    data.set_column(2, len(table.header) - 1, 16)
    meta = book.add_worksheet("Métadonnées")
    meta.write_row(0, 0, ("clé", "valeur"), bold)
    for r, (key, value) in enumerate(metadata, start=1):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value or "")
    meta.set_column(0, 0, 28)
    meta.set_column(1, 1, 100)
    book.close()
    return buf.getvalue()


def filename(ind: Indicator, level: str, extension: str) -> str:
    return f"territoires_{ind.id}_{level}.{extension}"
