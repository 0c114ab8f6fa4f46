"""A small table whose first column names each row and whose other columns are
figures (right-aligned), used by the planner and the portrait's double-peine block;
and :func:`stackable`, which lets any such table read as one block per row on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    return stackable(html.Table(parts, className=class_name))


def stackable(table: html.Table) -> html.Table:
    """Mark a table to read as one block per row on a phone (``assets/territoires.css``,
    class ``stackable``): each figure cell gets its column's header as ``data-label``,
    shown before it when the header row is hidden. Returns the same table."""
    parts = table.children if isinstance(table.children, list) else [table.children]
    head = next((p for p in parts if isinstance(p, html.Thead)), None)
    if head is None:
        return table
    header_row = head.children[0] if isinstance(head.children, list) else head.children
    labels = [_text(th.children) for th in _cells(header_row)]
    for part in parts:
        if isinstance(part, html.Tbody):
            for row in part.children if isinstance(part.children, list) else [part.children]:
                for pos, cell in enumerate(_cells(row)):
                    if isinstance(cell, html.Td) and pos < len(labels) and labels[pos]:
                        setattr(cell, "data-label", labels[pos])
    classes = f"{getattr(table, 'className', '') or ''} stackable".strip()
    setattr(table, "className", classes)  # noqa: B010 (not an attribute mypy knows)
    return table


def _cells(row: Any) -> list[Any]:
    children = getattr(row, "children", None)
    return list(children) if isinstance(children, list | tuple) else [children]


def _text(children: Any) -> str:
    """The plain text of a header cell (strings of its children, nested or not)."""
    if isinstance(children, str):
        return children
    if isinstance(children, list | tuple):
        return " ".join(t for t in (_text(c) for c in children) if t)
    if isinstance(children, Component):
        return _text(getattr(children, "children", None))
    return ""
