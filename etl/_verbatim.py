"""Official files cut into verbatim records, so that an extract is written byte for byte.

A CSV file is cut at its line endings outside quotes (a quoted field may hold line
breaks); an Etalab JSON or GeoJSON file, written one item per line, at its item
lines. Each record keeps its exact bytes (separator, quoting, encoding, line
ending), so ``head + kept records + tail`` is a valid file in the official format.
Used by :mod:`etl.make_sample` and its tests.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from etl.catalogue import Source


class SampleError(RuntimeError):
    """The sample cannot be made from this mirror (the message says why)."""


@dataclass(frozen=True)
class Table:
    """A file cut into verbatim byte records: ``head`` + records + ``tail`` is the file.

    For CSV, ``head`` is the header record; for Etalab JSON, the lines before the first
    item (``[``) and ``tail`` those after the last (``]``); ``sep`` joins records
    (``b""`` for CSV, whose records keep their line ending; ``b",\\n"`` for JSON).
    """

    head: bytes
    records: tuple[bytes, ...]
    tail: bytes
    sep: bytes

    def with_records(self, keep: Sequence[bool]) -> bytes:
        kept = [r for r, k in zip(self.records, keep, strict=True) if k]
        if not self.sep:
            return self.head + b"".join(kept) + self.tail
        body = self.sep.join(kept) + b"\n" if kept else b""
        return self.head + body + self.tail


def csv_table(data: bytes, source: Source) -> tuple[Table, list[str], list[list[str]]]:
    """Cut a CSV file into records (quoted line breaks stay inside), and parse them.

    Returns the table, the header names (BOM removed) and the rows parsed by Python's
    csv module (which must find as many rows as the cut, blank lines excluded).
    """
    lines = data.split(b"\n")
    records: list[bytes] = []
    pending: list[bytes] = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        if last and not line and not pending:
            break
        pending.append(line)
        if sum(p.count(b'"') for p in pending) % 2 == 0:
            records.append(b"\n".join(pending) + (b"" if last else b"\n"))
            pending = []
    if pending:
        raise SampleError(f"source {source.name!r}: guillemet non fermé en fin de fichier")
    text = data.decode(source.encoding)
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=source.separator))
    parsed = [row for row in parsed if row]
    if len(parsed) != len(records):
        raise SampleError(
            f"source {source.name!r}: {len(records)} enregistrements découpés, "
            f"{len(parsed)} lus par le module csv"
        )
    header = [parsed[0][0].removeprefix("\ufeff"), *parsed[0][1:]]
    return Table(records[0], tuple(records[1:]), b"", b""), header, parsed[1:]


def json_table(data: bytes, source: Source) -> tuple[Table, list[dict[str, Any]]]:
    """Cut an Etalab JSON (or GeoJSON) file with one item per line into its items.

    The cut must give back the file exactly (checked), so a kept item is written as
    published.
    """
    lines = data.split(b"\n")
    items = [
        i
        for i, line in enumerate(lines)
        if line.startswith(b"{") and line.rstrip(b",").endswith(b"}") and len(line) > 1
    ]
    if not items or items != list(range(items[0], items[-1] + 1)):
        raise SampleError(f"source {source.name!r}: pas un élément JSON par ligne")
    head = b"".join(line + b"\n" for line in lines[: items[0]])
    tail = b"\n".join(lines[items[-1] + 1 :])
    records = tuple(lines[i].removesuffix(b",") for i in items)
    table = Table(head, records, tail, b",\n")
    if table.with_records([True] * len(records)) != data:
        raise SampleError(f"source {source.name!r}: mise en page JSON non reconnue")
    return table, [json.loads(r) for r in records]
