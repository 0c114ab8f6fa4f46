"""A small table whose first column names each row and whose other columns are
figures (right-aligned), used by the planner and the portrait's double-peine block."""

from __future__ import annotations

from collections.abc import Sequence

from dash import html
from dash.development.base_component import Component


def row_table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    class_name: str,
    caption: str | None = None,
) -> html.Table:
    """``head`` labels the columns (the first one heads the row names); each row is
    ``(row name, figure, figure, ...)`` already formatted in French."""
    header = [html.Th(head[0], scope="col")] + [
        html.Th(h, scope="col", className="num") for h in head[1:]
    ]
    body = [
        html.Tr([html.Th(row[0], scope="row")] + [html.Td(v, className="num") for v in row[1:]])
        for row in rows
    ]
    parts: list[Component] = [html.Caption(caption)] if caption else []
    parts += [html.Thead(html.Tr(header)), html.Tbody(body)]
    return html.Table(parts, className=class_name)
