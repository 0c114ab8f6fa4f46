"""The one gate to the DuckDB warehouse: connections, the spatial extension, named SQL.

Every other module reads or writes the warehouse through these functions. SQL
lives in ``warehouse/sql/**.sql`` files and always takes bound parameters; the
only identifiers that vary are table names checked against an allow-list
(:func:`checked_identifier`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

_IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class WarehouseError(RuntimeError):
    """The warehouse file is missing, unreadable or not built by this tool."""


@lru_cache(maxsize=1)
def spatial_extension_path() -> Path:
    """Path of ``spatial.duckdb_extension`` shipped by the PyPI package
    ``duckdb-extension-spatial`` (installed offline, same version as duckdb)."""
    import duckdb_extension_spatial

    root = Path(duckdb_extension_spatial.__file__).parent
    found = sorted(root.rglob("spatial.duckdb_extension"))
    if not found:
        raise WarehouseError(
            f"extension spatiale introuvable dans {root}: réinstaller "
            f"duckdb-extension-spatial=={duckdb.__version__}"
        )
    return found[0]


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Install (from the local package file, never the network) and load spatial."""
    con.execute(f"INSTALL '{spatial_extension_path()}'")
    con.execute("LOAD spatial")


# A DuckDB database file carries this magic at bytes 8-11 (after an 8-byte checksum).
_DUCKDB_MAGIC = b"DUCK"


def check_warehouse_path(path: Path | str, *, for_writing: bool = False) -> Path:
    """Refuse a warehouse path that cannot be one, with a French message.

    Parameters
    ----------
    path : Path
    for_writing : bool
        A build target: it may not exist yet, but an existing file must be a DuckDB
        warehouse (never overwrite a CSV or any other file) and its folder must be a
        folder. A read target must exist and be a DuckDB file.

    Raises
    ------
    WarehouseError
        A folder, a parent that is a file, a file that is not a DuckDB database, or
        (for reading) a missing file.
    """
    path = Path(path)
    if path.is_dir():
        raise WarehouseError(f"--db {path} est un dossier, pas un fichier d'entrepôt (.duckdb)")
    parent = path.parent
    if for_writing and parent.exists() and not parent.is_dir():
        raise WarehouseError(f"--db {path} : {parent} est un fichier, pas un dossier")
    if not path.exists():
        if for_writing:
            return path
        raise WarehouseError(f"entrepôt introuvable: {path} (lancer d'abord `territoires build`)")
    with path.open("rb") as fh:
        head = fh.read(12)
    if head[8:12] != _DUCKDB_MAGIC:
        what = "refus de l'écraser" if for_writing else "impossible de le lire"
        raise WarehouseError(
            f"{path} n'est pas un entrepôt DuckDB construit par `territoires build` ({what})"
        )
    return path


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with the spatial extension loaded.

    Parameters
    ----------
    path : Path
        DuckDB file. With ``read_only=True`` it must exist (the dashboard opens
        finished warehouses read-only, one connection per worker).
    """
    path = Path(path)
    if read_only:
        check_warehouse_path(path)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise WarehouseError(f"impossible d'ouvrir l'entrepôt {path}: {exc}") from exc
    load_spatial(con)
    return con


def checked_identifier(name: str, allowed: set[str] | frozenset[str] | None = None) -> str:
    """Return ``name`` if it is a safe identifier (and in ``allowed`` when given)."""
    if not _IDENTIFIER_RE.match(name) or (allowed is not None and name not in allowed):
        raise ValueError(f"identifiant SQL refusé: {name!r}")
    return name


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Number of rows of ``table`` (a name checked by :func:`checked_identifier`)."""
    name = checked_identifier(table)
    # A table name cannot be a bound parameter; it passed the identifier allow-pattern.
    row = con.execute(f"SELECT count(*) FROM {name}").fetchone()  # noqa: S608  # nosec B608
    return int(row[0]) if row else 0


def write_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """(Re)create ``table`` (a name checked by :func:`checked_identifier`) from a frame."""
    name = checked_identifier(table)
    # A table name cannot be a bound parameter; it passed the identifier allow-pattern.
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.from_df(frame).create(name)


def sql_text(name: str) -> str:
    """Text of ``warehouse/sql/<name>.sql`` (``name`` may contain one folder)."""
    if not re.match(r"^[a-z0-9_]+(/[a-z0-9_]+)?$", name):
        raise ValueError(f"nom de requête refusé: {name!r}")
    return resources.files("warehouse").joinpath("sql", f"{name}.sql").read_text("utf-8")


def run_sql(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> None:
    """Run the statements of one ``.sql`` file, with named parameters bound.

    Statements are separated by a line holding only ``;``-terminated text; each
    statement receives only the parameters it mentions (``$name``).
    """
    for statement in _statements(sql_text(name)):
        used = {k: v for k, v in (params or {}).items() if f"${k}" in statement}
        con.execute(statement, used) if used else con.execute(statement)


def query(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run a single-statement named query; fetch its result from the returned
    connection (``fetchall``, ``fetchone``, ``df``, ``fetchnumpy``; column names in
    ``description``) before running another query on ``con``.

    Executed as a prepared statement: a relation built by ``con.sql`` with bound
    parameters read the whole of ``indicator_values`` for one indicator (0.2 s on a
    national warehouse against 0.05 s prepared).
    """
    statements = _statements(sql_text(name))
    if len(statements) != 1:
        raise ValueError(f"la requête {name!r} doit contenir une seule instruction")
    used = {k: v for k, v in (params or {}).items() if f"${k}" in statements[0]}
    return con.execute(statements[0], used) if used else con.execute(statements[0])


def _statements(text: str) -> list[str]:
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().rstrip(";").strip()]


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether a table or view of that name exists in the main schema."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()
    return bool(row and row[0])
