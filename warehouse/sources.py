"""What ``territoires sources`` prints: the catalogue, and what a built warehouse holds."""

from __future__ import annotations

from pathlib import Path
from typing import SupportsInt

import pandas as pd

from etl.catalogue import load_catalogue
from warehouse.gate import connect, query, table_exists


def _fmt_rows(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "-"
    if not isinstance(value, SupportsInt):
        raise TypeError(f"meta.rows must be a row count, got {value!r}")
    return f"{int(value):,d}".replace(",", "\u202f")


def load_log(db_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The ``meta`` load log, the ``meta_usage`` table and ``build_info`` of a warehouse.

    Returns
    -------
    (meta, usage, info)
        ``meta``: one row per catalogue source (dataset, title, role, vintage,
        publisher, licence, url, landing, status, rows, sha256, origin, reason,
        notes, loaded_at, sample); ``usage``: which dataset feeds which part; ``info``:
        build facts (territory, built_at, ...).
    """
    con = connect(db_path, read_only=True)
    try:
        meta = query(con, "sources/meta").df()
        usage = (
            query(con, "sources/meta_usage").df()
            if table_exists(con, "meta_usage")
            else pd.DataFrame(columns=["usage", "dataset"])
        )
        info = dict(query(con, "sources/build_info").fetchall())
    finally:
        con.close()
    return meta, usage, info


def describe_sources(db_path: Path | None) -> str:
    """Human-readable listing of the sources (and of a built warehouse when given)."""
    lines: list[str] = []
    if db_path is None:
        lines.append(
            "Catalogue des sources (aucun entrepôt indiqué: --db PATH pour l'état du chargement)"
        )
        for s in load_catalogue().values():
            lines.append(f"- {s.name:26s} {s.vintage:34s} {s.publisher}")
            lines.append(f"  {s.title}")
            lines.append(f"  {s.url or 'embarqué: ' + s.embedded}  [{s.licence}]")
            if s.sample:
                lines.append(f"  échantillon embarqué (dep:35 et 60 km autour): {s.sample}")
        return "\n".join(lines)

    meta, usage, info = load_log(Path(db_path))
    lines.append(
        f"Entrepôt {db_path}: territoire {info.get('territory', '?')}, "
        f"construit le {info.get('built_at', '?')} en {info.get('build_seconds', '?')} s"
    )
    loaded = meta[meta["status"] == "chargée"]
    missing = meta[meta["status"] != "chargée"]
    sampled = (
        loaded[loaded["sample"].fillna(False).astype(bool)] if "sample" in meta else loaded.iloc[:0]
    )
    lines.append("")
    lines.append(f"Sources chargées ({len(loaded)}):")
    if len(sampled):
        label = str(sampled["origin"].iloc[0]).partition(" : ")[0]
        lines.append(
            f"  dont {len(sampled)} depuis l'{label} : extraits réels des fichiers "
            "officiels, faute de miroir, de cache et de réseau ; millésime d'origine indiqué"
        )
    lines.append(f"  {'source':26s} {'millésime':34s} {'lignes':>11s}  sha256        origine")
    for r in loaded.itertuples():
        rows = _fmt_rows(r.rows)
        lines.append(
            f"  {r.dataset:26s} {r.vintage:34s} {rows:>11s}  {str(r.sha256)[:12]:12s}  {r.origin}"
        )
    lines.append("")
    lines.append(f"Sources manquantes ({len(missing)}):")
    for r in missing.itertuples():
        lines.append(f"  {r.dataset:26s} {r.vintage:34s} {r.publisher}")
        lines.append(f"      raison: {r.reason}")
    if len(usage):
        lines.append("")
        lines.append("Utilisation:")
        for r in usage.itertuples():
            lines.append(f"  {r.usage:42s} {r.dataset or 'source manquante: non renseigné'}")
    return "\n".join(lines)
