"""ESS (économie sociale et solidaire): employing establishments, families, sectors, jobs.

Pure kernels over Sirene codes and the aggregation of establishments into the cells of
the published tables (territory x column) for communes, EPCI, départements and régions;
the ESS indicators built on them are in :mod:`indicators.ess_indicators`. The build
step (:mod:`indicators.ess_step`) applies the kernels to the distinct codes of the
loaded Sirene stocks, counts establishments per commune in DuckDB, then calls
:func:`ess_cells`, :func:`indicators.secrecy.protect`,
:func:`indicators.ess_indicators.indicator_values` and ``sector_rows``.

Definitions (also in the indicator definitions)
-----------------------------------------------
- **ESS establishment**: an establishment whose legal unit is flagged ESS in Sirene
  (``economieSocialeSolidaireUniteLegale`` = O), or is listed by ESS France when that
  list is loaded.
- **Active employing establishment**: ``etatAdministratifEtablissement`` = A, and
  employing (:func:`is_employing`): ``caractereEmployeurEtablissement`` = O; when that
  flag is not stated, a headcount bracket from 00 to 53 (INSEE: 00 = employed someone
  during the year, nobody on 31 December); NN or no bracket: not employing.
- **Estimated jobs** (:func:`bracket_jobs`): the midpoint of the establishment's
  headcount bracket (``geo.constants.ESS_BRACKET_JOBS``): an ESTIMATE, kept apart from
  the counts and labelled as such. An employing establishment without a usable bracket
  is counted, its jobs are not.
- **Family** (:func:`ess_family`): from the legal category (INSEE nomenclature des
  catégories juridiques): associations, coopératives, mutuelles, fondations, sociétés
  commerciales de l'ESS, and "autres" (any other or unknown category).
- **Sector** (:func:`naf_section`): the NAF rév. 2 section (A-U) of the establishment's
  activity; "?" for a code outside NAF rév. 2 (older nomenclatures) or missing.

Columns of the tables (:data:`COLUMN_KEYS`): the six families, their total (all ESS),
the NAF sections (same total), and all employing establishments (ESS or not, the
denominator of the shares).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from etl.vocabulary import FRANCE_CODE, FRANCE_LEVEL, LEVEL_CODE_COLUMN, VALUE_LEVELS
from geo.constants import ESS_BRACKET_JOBS
from indicators.secrecy import Columns, Hierarchy

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# --- Nomenclatures (CSV files of this package) -----------------------------------------


def _nomenclature(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``indicators/<name>.csv`` (header row; every value a string)."""
    text = resources.files("indicators").joinpath(f"{name}.csv").read_text("utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


# ess_families.csv: (slug used in indicator ids, French label), in column order.
FAMILIES: Final[tuple[tuple[str, str], ...]] = tuple(
    (r["family"], r["label"]) for r in _nomenclature("ess_families")
)
# ess_legal_forms.csv: the legal categories (INSEE, nomenclature des catégories
# juridiques, https://www.insee.fr/fr/information/2028129) of each family, by niveau I/II
# prefix or niveau III code. Coopératives: niveaux II 51 and 63, every niveau III code
# whose label names a cooperative form, and the cooperative banks with their own codes
# (6100, 6595, 6596); SCOP and SCIC in the SAS form have no own code (5710 SAS) and fall
# in the commercial companies, i.e. any other niveau I 5 code (loi n° 2014-856 du 31
# juillet 2014, article 1er II).
_LEGAL_FORMS: Final = _nomenclature("ess_legal_forms")
# When a code matches several families, the later one here wins.
_FAMILY_PRECEDENCE: Final = (
    "societe_commerciale",
    "cooperative",
    "mutuelle",
    "fondation",
    "association",
)
_FAMILY_PREFIXES: Final = {
    f: tuple(r["code"] for r in _LEGAL_FORMS if r["family"] == f and r["match"] == "prefix")
    for f in _FAMILY_PRECEDENCE
}
_FAMILY_CODES: Final = {
    f: frozenset(r["code"] for r in _LEGAL_FORMS if r["family"] == f and r["match"] == "code")
    for f in _FAMILY_PRECEDENCE
}

# --- NAF rév. 2 sections -------------------------------------------------------------
# naf_sections.csv (INSEE, Nomenclature d'activités française NAF rév. 2, décret
# n° 2007-1888 du 26 décembre 2007): section, first and last division, French label.
SECTIONS: Final[tuple[tuple[str, int, int, str], ...]] = tuple(
    (r["section"], int(r["first_division"]), int(r["last_division"]), r["label"])
    for r in _nomenclature("naf_sections")
)
UNKNOWN_SECTION: Final = "?"
UNKNOWN_SECTION_LABEL: Final = "Section inconnue (code d'activité hors NAF rév. 2 ou absent)"
_NAF2_RE: Final = re.compile(r"^(\d{2})\.\d{2}[A-Z]$")

# --- Columns of the tables -----------------------------------------------------------
ESS_KEY: Final = "ess"
ALL_KEY: Final = "all"
SECTION_KEYS: Final[tuple[str, ...]] = (*(s[0] for s in SECTIONS), UNKNOWN_SECTION)
COLUMN_KEYS: Final[tuple[str, ...]] = (
    *(f for f, _ in FAMILIES),
    ESS_KEY,
    *(f"section_{s}" for s in SECTION_KEYS),
    ALL_KEY,
)
FAMILY_COLUMNS: Final = tuple(range(len(FAMILIES)))
ESS_COLUMN: Final = len(FAMILIES)
SECTION_COLUMNS: Final = tuple(range(ESS_COLUMN + 1, ESS_COLUMN + 1 + len(SECTION_KEYS)))
ALL_COLUMN: Final = len(COLUMN_KEYS) - 1
COLUMNS: Final = Columns(
    len(COLUMN_KEYS), ((FAMILY_COLUMNS, ESS_COLUMN), (SECTION_COLUMNS, ESS_COLUMN))
)
# Column of a commune row naming its container at each level (None: France, the whole)
_PARENT_CODE: Final[dict[str, str | None]] = {
    **{lvl: col for lvl, col in LEVEL_CODE_COLUMN.items() if lvl != "commune"},
    FRANCE_LEVEL: None,
}


# --------------------------------------------------------------------------- kernels


def _text(codes: pd.Series) -> pd.Series:
    return codes.astype(object).where(codes.notna(), "").astype(str).str.strip()


def ess_family(categorie_juridique: pd.Series) -> pd.Series:
    """ESS family slug (:data:`FAMILIES`) of each legal-category code.

    Parameters
    ----------
    categorie_juridique : Series of str
        INSEE 4-digit codes (``categorieJuridiqueUniteLegale``); NULL allowed.

    Returns
    -------
    Series of str
        Same index; ``"autre"`` for a missing or unlisted code (module docstring).
    """
    code = _text(categorie_juridique)
    out = pd.Series("autre", index=categorie_juridique.index, dtype=object)
    valid = code.str.fullmatch(r"\d{4}")
    for family in _FAMILY_PRECEDENCE:
        member = code.isin(_FAMILY_CODES[family])
        if _FAMILY_PREFIXES[family]:
            member |= code.str.startswith(_FAMILY_PREFIXES[family])
        out[valid & member] = family
    return out


def naf_section(activite: pd.Series) -> pd.Series:
    """NAF rév. 2 section letter of each activity code (``"?"`` when not NAF rév. 2).

    Parameters
    ----------
    activite : Series of str
        ``activitePrincipaleEtablissement`` codes such as ``88.99B``; NULL allowed.

    Returns
    -------
    Series of str
        Same index: ``A`` .. ``U``, or :data:`UNKNOWN_SECTION` for a missing code, a
        code of an older nomenclature (NAF rév. 1 ``85.3K``, NAP) or a division that
        NAF rév. 2 does not use (e.g. ``04``).
    """
    division = _text(activite).str.extract(_NAF2_RE, expand=False)
    number = pd.to_numeric(division, errors="coerce")
    out = pd.Series(UNKNOWN_SECTION, index=activite.index, dtype=object)
    for letter, first, last, _ in SECTIONS:
        out[(number >= first) & (number <= last)] = letter
    return out


def bracket_jobs(tranche: pd.Series) -> pd.Series:
    """Estimated salaried jobs of each headcount bracket (NaN: no estimate).

    Parameters
    ----------
    tranche : Series of str
        ``trancheEffectifsEtablissement`` codes (``NN``, ``00`` .. ``53``); NULL allowed.

    Returns
    -------
    Series of float
        Same index; jobs from ``geo.constants.ESS_BRACKET_JOBS`` (bracket midpoint,
        ``00`` -> 0, ``53`` -> 10 000); NaN for ``NN``, NULL or an unknown code.
    """
    return _text(tranche).map(dict(ESS_BRACKET_JOBS)).astype(np.float64)


def is_employing(employeur: pd.Series, tranche: pd.Series) -> pd.Series:
    """Whether each establishment is employing (rule in the module docstring).

    Parameters
    ----------
    employeur : Series of bool or None
        ``caractereEmployeurEtablissement`` (O -> True, N -> False, not stated -> None).
    tranche : Series of str
        Headcount bracket codes.

    Returns
    -------
    Series of bool
        The stated flag; when it is not stated, True for a bracket ``00`` .. ``53``.
    """
    flag = employeur.astype("boolean")
    by_bracket = _text(tranche).isin(dict(ESS_BRACKET_JOBS).keys())
    return flag.fillna(pd.Series(by_bracket, index=employeur.index)).astype(bool)


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class TerritoryLayout:
    """Territories in table order (communes first, then EPCI, départements, régions).

    ``frame`` holds ``level``, ``code``, ``complete`` (bool) and ``population``;
    ``hierarchy`` the published containers of each commune (complete territories only).
    """

    frame: pd.DataFrame
    hierarchy: Hierarchy

    @property
    def published(self) -> BoolArray:
        return self.frame["complete"].to_numpy(dtype=bool)


def territory_layout(territories: pd.DataFrame) -> TerritoryLayout:
    """Order the territories of a warehouse and link each commune to its containers.

    Parameters
    ----------
    territories : DataFrame
        ``level``, ``code``, ``epci_code``, ``dep_code``, ``reg_code``, ``complete``,
        ``population`` (the ``territories`` table).

    Returns
    -------
    TerritoryLayout
        Communes are always published; an EPCI, département, région or France only
        when ``complete`` (all its communes in the build), else it is in no table.
    """
    frame = territories.copy()
    frame["complete"] = frame["complete"].astype("boolean").fillna(False).astype(bool)
    frame.loc[frame["level"] == "commune", "complete"] = True
    rank = frame["level"].map({lvl: i for i, lvl in enumerate(VALUE_LEVELS)})
    if rank.isna().any():
        raise ValueError(
            f"niveau de territoire inconnu : {sorted(set(frame['level'][rank.isna()]))}"
        )
    frame = frame.assign(_rank=rank).sort_values(["_rank", "code"], kind="stable")
    frame = frame.drop(columns="_rank").reset_index(drop=True)
    communes = frame[frame["level"] == "commune"]
    ancestors = np.full((len(communes), len(_PARENT_CODE)), -1, dtype=np.int64)
    for k, (level, column) in enumerate(_PARENT_CODE.items()):
        rows = frame.index[(frame["level"] == level) & frame["complete"]]
        number = pd.Series(rows.to_numpy(), index=frame.loc[rows, "code"].to_numpy())
        codes = pd.Series(FRANCE_CODE, index=communes.index) if column is None else communes[column]
        found = codes.map(number)
        ancestors[:, k] = found.fillna(-1).to_numpy(dtype=np.int64)
    keep = ["level", "code", "complete", "population"]
    return TerritoryLayout(frame[keep], Hierarchy(ancestors, len(frame)))


@dataclass(frozen=True)
class EssCells:
    """Cells of the ESS tables, arrays territories x :data:`COLUMN_KEYS`.

    ``n`` establishments, ``jobs`` estimated jobs, ``max_jobs`` estimated jobs of the
    largest establishment.
    """

    n: FloatArray
    jobs: FloatArray
    max_jobs: FloatArray


def ess_cells(atoms: pd.DataFrame, employing: pd.DataFrame, layout: TerritoryLayout) -> EssCells:
    """Aggregate commune counts into the cells of every territory.

    Parameters
    ----------
    atoms : DataFrame
        ESS establishments per (``commune_code``, ``family``, ``section``): ``n``,
        ``jobs`` (estimated, unknown brackets as 0) and ``max_jobs``.
    employing : DataFrame
        All active employing establishments per ``commune_code``: ``n``, ``jobs``,
        ``max_jobs``.
    layout : TerritoryLayout

    Returns
    -------
    EssCells
        Sums (and maxima) over the communes of each territory; columns per
        :data:`COLUMN_KEYS`. A territory in no published table (incomplete: some of its
        communes are outside the build) stays at zero: it is never published. Pure;
        empty inputs give zeros.

    Raises
    ------
    ValueError
        A commune, family or section code unknown to the layout.
    """
    frame = layout.frame
    n_communes = layout.hierarchy.n_communes
    shape = (len(frame), len(COLUMN_KEYS))
    out = {k: np.zeros(shape) for k in ("n", "jobs", "max_jobs")}
    commune_index = pd.Index(frame["code"].iloc[:n_communes])
    family_col = {f: i for i, (f, _) in enumerate(FAMILIES)}
    section_col = {s: SECTION_COLUMNS[i] for i, s in enumerate(SECTION_KEYS)}
    pieces = [
        (atoms, atoms["family"].map(family_col) if len(atoms) else atoms["family"], "famille"),
        (atoms, atoms["section"].map(section_col) if len(atoms) else atoms["section"], "section"),
        (atoms, pd.Series(ESS_COLUMN, index=atoms.index), "total"),
        (employing, pd.Series(ALL_COLUMN, index=employing.index), "employeurs"),
    ]
    for table, column, what in pieces:
        rows = commune_index.get_indexer(table["commune_code"])
        bad = (rows < 0) | column.isna().to_numpy()
        if bad.any():
            raise ValueError(f"ESS ({what}) : code inconnu {table[bad].iloc[0].to_dict()}")
        cols = column.to_numpy(dtype=np.int64)
        np.add.at(out["n"], (rows, cols), table["n"].to_numpy(np.float64))
        np.add.at(out["jobs"], (rows, cols), table["jobs"].to_numpy(np.float64))
        np.maximum.at(out["max_jobs"], (rows, cols), table["max_jobs"].to_numpy(np.float64))
    anc = layout.hierarchy.ancestors
    for k in range(anc.shape[1]):
        has = anc[:, k] >= 0
        for name in ("n", "jobs"):
            np.add.at(out[name], anc[has, k], out[name][:n_communes][has])
        np.maximum.at(out["max_jobs"], anc[has, k], out["max_jobs"][:n_communes][has])
    return EssCells(out["n"], out["jobs"], out["max_jobs"])
