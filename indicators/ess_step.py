"""Build step: ESS employment statistics under statistical secrecy.

:func:`compute_ess` runs after :func:`indicators.step.compute_indicators` (it adds rows
to the ``indicators`` and ``indicator_values`` tables that step creates). It reads the
raw Sirene stocks the build loaded (``raw_sirene_etablissements``,
``raw_sirene_unites_legales`` and, when loaded, ``raw_ess_france_list``), and writes in
one transaction (nothing half-written on error; rerunning replaces the ESS rows):

- theme ``ess`` rows of ``indicators`` and ``indicator_values``
  (:data:`indicators.ess_indicators.ESS_INDICATOR_IDS`), ``secret`` true and value NULL for the
  cells blanked by :mod:`indicators.secrecy`;
- the table ``ess_by_sector``: ESS establishments and estimated jobs by NAF section.

The two Sirene stocks are both needed (the establishments carry the commune, activity
and headcount bracket; the legal units the ESS flag and the legal category). When
either is missing, nothing is written and the step says so in the log; the missing
sources are listed by ``territoires sources`` and the dashboard. Nothing is faked.

Definitions and rules: :mod:`indicators.ess` and :mod:`indicators.secrecy`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import DEFAULT_CONSTANTS
from indicators import _sql
from indicators.ess import (
    COLUMNS,
    EssCells,
    TerritoryLayout,
    bracket_jobs,
    ess_cells,
    ess_family,
    is_employing,
    naf_section,
    territory_layout,
)
from indicators.ess_indicators import (
    EssSources,
    ess_registry,
    indicator_values,
    sector_rows,
)
from indicators.registry import registry_frame
from indicators.secrecy import BoolArray, Protection, SecrecyRule, protect
from indicators.step import source_vintages
from indicators.step_context import NOTE_INCOMPLETE

log = logging.getLogger(__name__)

__all__ = ["EssResult", "EssSettings", "compute_ess", "ess_result"]

ESTABLISHMENTS = "sirene_etablissements"
LEGAL_UNITS = "sirene_unites_legales"
ESS_LIST = "ess_france_list"
_RULE = SecrecyRule.from_constants(DEFAULT_CONSTANTS)
# Columns the step reads in each raw table (written by etl.loaders.sirene).
_REQUIRED = {
    ESTABLISHMENTS: (
        "siren",
        "commune_code",
        "activite_principale",
        "tranche_effectifs",
        "etat_administratif",
        "employeur",
    ),
    LEGAL_UNITS: ("siren", "categorie_juridique", "ess"),
    ESS_LIST: ("siren",),
}


class EssSettings(Protocol):
    """What the step reads from ``etl.settings.Settings`` (nothing yet)."""


@dataclass(frozen=True)
class EssResult:
    """What :func:`ess_result` computes before anything is written."""

    layout: TerritoryLayout
    cells: EssCells
    protection: Protection
    counts: dict[str, int]
    listed: bool


def compute_ess(con: duckdb.DuckDBPyConnection, settings: EssSettings | None = None) -> None:
    """Build step writing the ESS indicators and ``ess_by_sector`` (module docstring)."""
    missing = [n for n in (ESTABLISHMENTS, LEGAL_UNITS) if not _sql.table_exists(con, f"raw_{n}")]
    if missing:
        log.warning(
            "ESS : source(s) Sirene non chargée(s) (%s) : aucun indicateur ESS n'est écrit "
            "(détail : `territoires sources`)",
            ", ".join(missing),
        )
        return
    for table in ("indicators", "indicator_values"):
        if not _sql.table_exists(con, table):
            raise ValueError(
                f"table {table} absente : l'étape indicators.step.compute_indicators doit "
                "précéder le calcul des indicateurs ESS"
            )
    result = ess_result(con)
    sources = EssSources(
        establishments=(ESTABLISHMENTS, LEGAL_UNITS, *((ESS_LIST,) if result.listed else ())),
        population=tuple(r[0] for r in con.execute(_sql.POPULATION_SOURCES).fetchall()),
        vintages=dict(source_vintages(_sql.read_vintages(con))),
    )
    registry = ess_registry(sources)
    secret = result.protection.secret
    frames = {
        "_theme_registry": registry_frame(registry),
        "_theme_values": indicator_values(result.cells, secret, result.layout),
        "_ess_sectors": sector_rows(result.cells, secret, result.layout),
    }
    _write(con, frames)
    published = result.layout.published
    log.info(
        "ESS : %d établissements employeurs actifs dont %d de l'ESS (%d sans tranche "
        "d'effectif) ; %d indicateurs ; secret : %d cases primaires, %d secondaires",
        result.counts["employing"],
        result.counts["ess"],
        result.counts["ess_no_bracket"],
        len(registry),
        int(result.protection.primary[published].sum()),
        int(result.protection.secondary[published].sum()),
    )


def ess_result(con: duckdb.DuckDBPyConnection, rule: SecrecyRule = _RULE) -> EssResult:
    """Count the ESS establishments of every territory and protect the cells.

    Reads ``territories``, ``commune_base``, ``commune_code_map`` and the raw Sirene
    tables (which must exist); the kernels of :mod:`indicators.ess` are applied to their
    distinct codes and DuckDB does the counting. Writes nothing but temporary tables,
    dropped on exit.

    The cells and the secrecy pattern are computed on every territory of France (the
    national commune reference and all the establishments of the loaded stock), then
    the build's complete territories take theirs: two builds of different extent on the
    same Sirene data publish the same values and the same blanks, so that reading both
    reveals nothing that one alone does not (the log counts are national too).
    """
    listed = _sql.table_exists(con, f"raw_{ESS_LIST}")
    for name in (ESTABLISHMENTS, LEGAL_UNITS, *((ESS_LIST,) if listed else ())):
        found = {r[0] for r in con.execute(_sql.ESS_COLUMNS, {"name": f"raw_{name}"}).fetchall()}
        missing = [c for c in _REQUIRED[name] if c not in found]
        if missing:
            raise ValueError(
                f"table raw_{name} : colonne(s) manquante(s) {missing} (attendues : celles "
                "de etl.loaders.sirene) ; aucun indicateur ESS n'est écrit"
            )
    lookups = _lookups(con)
    for name, frame in lookups.items():
        con.register(name, frame)
    try:
        con.execute(_sql.ESS_ESTABLISHMENTS)
        con.execute(_sql.ESS_UNITS_WITH_LIST if listed else _sql.ESS_UNITS)
        atoms = con.execute(_sql.ESS_ATOMS).df()
        employing = con.execute(_sql.ESS_EMPLOYING).df()
        row = con.execute(_sql.ESS_COUNTS).fetchone()
        assert row is not None  # an aggregate without GROUP BY returns exactly one row
    finally:
        _sql.drop_ess_temp(con)
        for name in lookups:
            con.unregister(name)
    counts = dict(zip(("employing", "no_bracket", "ess", "ess_no_bracket"), row, strict=True))
    national = territory_layout(con.execute(_sql.ESS_NATIONAL_TERRITORIES).df())
    national_cells = ess_cells(atoms, employing, national)
    national_protection = protect(
        national_cells.n,
        national_cells.jobs,
        national_cells.max_jobs,
        national.hierarchy,
        COLUMNS,
        rule,
    )
    layout = territory_layout(con.execute(_sql.ESS_TERRITORIES).df())
    rows = _rows_in(national, layout)
    cells, protection = _published(national_cells, national_protection, rows, layout.published)
    return EssResult(layout, cells, protection, {k: int(v) for k, v in counts.items()}, listed)


def _rows_in(national: TerritoryLayout, layout: TerritoryLayout) -> npt.NDArray[np.int64]:
    """Row of the national layout of each territory of the build's layout."""
    keys = pd.MultiIndex.from_frame(national.frame[["level", "code"]])
    rows = keys.get_indexer(pd.MultiIndex.from_frame(layout.frame[["level", "code"]]))
    if (rows < 0).any():
        lost = layout.frame.loc[rows < 0, ["level", "code"]].iloc[0].tolist()
        raise ValueError(f"ESS : territoire {lost} absent du référentiel national des communes")
    return rows.astype(np.int64)


def _published(
    cells: EssCells, protection: Protection, rows: npt.NDArray[np.int64], published: BoolArray
) -> tuple[EssCells, Protection]:
    """The national cells and blanks of the build's territories; zero and open for the
    territories it does not publish (partly inside the build)."""
    keep = published[:, None]
    return (
        EssCells(cells.n[rows] * keep, cells.jobs[rows] * keep, cells.max_jobs[rows] * keep),
        Protection(
            protection.primary[rows] & keep,
            protection.secret[rows] & keep,
            np.where(keep, protection.reason[rows], ""),
        ),
    )


def _lookups(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The kernels applied to the distinct codes of the loaded stocks."""
    categories = con.execute(_sql.ESS_CATEGORIES).df()["categorie_juridique"]
    activities = con.execute(_sql.ESS_ACTIVITIES).df()["activite_principale"]
    employment = con.execute(_sql.ESS_EMPLOYMENT).df()
    employer = employment["employeur"].astype("boolean")
    return {
        "_ess_families": pd.DataFrame(
            {"categorie_juridique": categories.astype(object), "family": ess_family(categories)}
        ),
        "_ess_sections": pd.DataFrame(
            {"activite_principale": activities.astype(object), "section": naf_section(activities)}
        ),
        "_ess_employment": pd.DataFrame(
            {
                "employeur": employer,
                "tranche_effectifs": employment["tranche_effectifs"].astype(object),
                "employing": is_employing(employer, employment["tranche_effectifs"]),
                "jobs": bracket_jobs(employment["tranche_effectifs"]),
            }
        ),
    }


def _write(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Replace the ESS rows and ``ess_by_sector`` in one transaction."""
    for name, frame in frames.items():
        con.register(name, frame)
    con.begin()
    try:
        _sql.replace_theme(con, "ess", NOTE_INCOMPLETE)
        con.execute(_sql.WRITE_ESS_BY_SECTOR)
        con.commit()
    except duckdb.Error:
        con.rollback()
        raise
    finally:
        for name in frames:
            con.unregister(name)
