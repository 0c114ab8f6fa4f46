"""Build step: territorial-fracture indices and the double-peine overlay.

:func:`compute_fracture` runs after :func:`indicators.step.compute_indicators` (it
reads the commune-level values of ``indicator_values``). It writes, in one
transaction (nothing half-written on error):

- ``fracture_indices``: every index of :data:`indicators.fracture.INDEX_IDS` for
  every base indicator (themes access, third_places, mobility; counts of
  inhabitants and indicators restricted to one density class left out) and every
  complete EPCI, département and région, plus
  France (``france``/``FR``) for a national build;
- ``double_peine``: one row per commune with its flags (empty, and logged, when the
  Filosofi commune file ``raw_filosofi_communes`` is not loaded or no everyday-basket
  score is registered);
- theme ``fracture`` rows of ``indicators`` and ``indicator_values``: the Gini and
  the fifth gap of the headline access indicators and the share of the population
  in double-peine communes, for every territory (NULL where not computable, e.g.
  an incomplete territory or a commune for a Gini). Rerunning the step replaces
  them.

Definitions: :mod:`indicators.fracture` and ``warehouse/SCHEMA.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, TypedDict

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from geo.constants import DOUBLE_PEINE_ACCESS_MODES
from indicators import _sql
from indicators.fracture import (
    BASE_THEMES,
    DOUBLE_PEINE_COLUMNS,
    FRACTURE_COLUMNS,
    INDEX_IDS,
    SKIPPED_UNITS,
    commune_groups,
    double_peine_by_territory,
    double_peine_flags,
    fracture_table,
)
from indicators.registry import (
    FRANCE_SERVICES,
    Indicator,
    indicator_id,
    registry_frame,
)
from indicators.step import source_vintages
from indicators.step_context import NOTE_INCOMPLETE

log = logging.getLogger(__name__)

__all__ = [
    "FractureSettings",
    "compute_fracture",
    "headline_bases",
    "headline_indicators",
    "overlay_access_id",
    "read_commune_values",
]

INCOME_SOURCE = "filosofi_communes"


class _Territory(Protocol):
    @property
    def kind(self) -> str: ...


class FractureSettings(Protocol):
    """What the step reads from ``etl.settings.Settings``."""

    @property
    def threshold_min(self) -> float: ...
    @property
    def territory(self) -> _Territory: ...


def compute_fracture(con: duckdb.DuckDBPyConnection, settings: FractureSettings) -> None:
    """Build step writing ``fracture_indices``, ``double_peine`` and the fracture indicators.

    Raises
    ------
    ValueError
        When ``indicator_values`` does not exist (the indicators step must run first)
        or a base indicator has no ``higher_is_better``.
    duckdb.Error
        On a failed write; nothing is left half-written (one transaction).
    """
    if not _sql.table_exists(con, "indicator_values"):
        raise ValueError(
            "table indicator_values absente : l'étape indicators.step.compute_indicators "
            "doit précéder le calcul des indices de fracture"
        )
    base = con.execute(_sql.FRACTURE_BASE_INDICATORS, {"themes": list(BASE_THEMES)}).df()
    unknown = base.loc[base["higher_is_better"].isna(), "id"].tolist()
    if unknown:
        raise ValueError(f"indicateurs sans sens de lecture (higher_is_better NULL) : {unknown}")
    communes = con.execute(_sql.FRACTURE_COMMUNES).df()
    territories = con.execute(_sql.TERRITORIES).df()
    groups = commune_groups(communes, territories, national=settings.territory.kind == "fr")
    ids = base["id"].astype(str).tolist()
    better = base["higher_is_better"].astype(bool).tolist()
    matrix = read_commune_values(con, ids, groups.codes)
    indexed = (~base["unit"].isin(SKIPPED_UNITS) & base["density_class"].isna()).to_numpy(
        dtype=bool
    )
    table = fracture_table(
        matrix[indexed],
        [i for i, keep in zip(ids, indexed, strict=True) if keep],
        [b for b, keep in zip(better, indexed, strict=True) if keep],
        groups,
    )
    access_id = overlay_access_id(base, settings.threshold_min, DOUBLE_PEINE_ACCESS_MODES)
    income = _income(con, access_id)
    flags, shares, extra = _empty_flags(), None, None
    if income is not None and access_id is not None:
        row = ids.index(access_id)
        flags = double_peine_flags(
            communes,
            income,
            matrix[row],
            access_indicator_id=access_id,
            higher_is_better=better[row],
            complete_deps=list(groups.members["departement"][1]),
        )
        shares = double_peine_by_territory(flags, groups)
        extra = _share_rows(shares, access_id)
    registry = headline_indicators(
        base,
        threshold_min=settings.threshold_min,
        access_id=access_id,
        income=None if shares is None else (INCOME_SOURCE, _income_vintage(con)),
    )
    values = _headline_values(registry, table, shares, territories)
    _write(con, table, extra, flags, registry, values)
    log.info(
        "fracture : %d indices, %d communes en double peine sur %d connues, %d indicateurs",
        len(table) + (0 if extra is None else len(extra)),
        int(flags["double_peine"].sum()),
        int(flags["double_peine"].notna().sum()),
        len(registry),
    )


def _income_vintage(con: duckdb.DuckDBPyConnection) -> str:
    """Vintage of the Filosofi commune file from ``meta`` (never guessed)."""
    vintage = source_vintages(_sql.read_vintages(con)).get(INCOME_SOURCE)
    return vintage or "millésime non renseigné"


# --- Headline fracture indicators (registered for maps and exports) ----------------


def _basket_score(base: pd.DataFrame, threshold_min: float, mode: str) -> str | None:
    """Id of the registered everyday-basket score at ``threshold_min`` by ``mode``,
    read from the stored fields (kind, scope, mode, threshold_min)."""
    found = base[
        (base["kind"] == "score")
        & (base["scope"].fillna("") == "")
        & (base["mode"] == mode)
        & np.isclose(pd.to_numeric(base["threshold_min"]).to_numpy(dtype=np.float64), threshold_min)
    ]
    return str(found["id"].iloc[0]) if len(found) else None


def overlay_access_id(base: pd.DataFrame, threshold_min: float, modes: Sequence[str]) -> str | None:
    """Id of the access indicator of the double-peine overlay: the first registered
    everyday-basket score at ``threshold_min`` in ``modes`` order (None if none).

    ``base``: the ``indicators`` rows of the base themes (id, kind, scope, mode,
    threshold_min).
    """
    for mode in modes:
        found = _basket_score(base, threshold_min, mode)
        if found is not None:
            return found
    return None


def headline_bases(base: pd.DataFrame, threshold_min: float) -> list[str]:
    """Base indicators whose Gini and fifth gap are registered as indicators.

    The everyday-basket scores by car and on foot, and the median car time to the
    nearest France Services, whichever are registered (``base``: the ``indicators``
    rows of the base themes, with their stored fields).
    """
    scores = [_basket_score(base, threshold_min, mode) for mode in ("car", "walk")]
    france_services = base[
        (base["kind"] == "median")
        & (base["service_type"] == FRANCE_SERVICES)
        & (base["mode"] == "car")
    ]["id"].tolist()
    return [i for i in scores if i is not None] + sorted(france_services)


def _join(*parts: str) -> str:
    """Comma-separated catalogue names, each once, in order."""
    seen: dict[str, None] = {}
    for part in parts:
        for item in str(part or "").split(","):
            if item.strip():
                seen[item.strip()] = None
    return ", ".join(seen)


class _CommonFields(TypedDict):
    """The fields a headline fracture indicator takes from its base indicator."""

    theme: str
    sources: str
    vintage: str
    higher_is_better: bool
    service_type: str | None
    mode: str | None
    threshold_min: float | None


def headline_indicators(
    base: pd.DataFrame,
    *,
    threshold_min: float,
    access_id: str | None,
    income: tuple[str, str] | None,
) -> list[Indicator]:
    """The registered fracture indicators (theme ``fracture``).

    Parameters
    ----------
    base : DataFrame
        ``indicators`` rows of the base themes (id, label, unit, decimals, sources,
        vintage, higher_is_better, service_type, mode, threshold_min).
    threshold_min : float
        The quart d'heure of the build.
    access_id : str or None
        Access indicator of the overlay (:func:`overlay_access_id`).
    income : (source, vintage) or None
        Filosofi catalogue name and vintage; None when not loaded (no overlay).

    Returns
    -------
    list of Indicator
        ``gini__<base>`` and ``fifth_gap__<base>`` for :func:`headline_bases`, and
        ``share_double_peine__<access_id>`` when the overlay can be computed.
    """
    rows = base.set_index("id")
    out = []
    for base_id in headline_bases(base, threshold_min):
        b = rows.loc[base_id]
        common: _CommonFields = {
            "theme": "fracture",
            "sources": str(b["sources"]),
            "vintage": str(b["vintage"]),
            "higher_is_better": False,
            "service_type": None if pd.isna(b["service_type"]) else str(b["service_type"]),
            "mode": None if pd.isna(b["mode"]) else str(b["mode"]),
            "threshold_min": None if pd.isna(b["threshold_min"]) else float(b["threshold_min"]),
        }
        scope = (
            f"Indicateur de base : « {b['label']} » ({base_id}), valeurs des communes pondérées "
            "par leur population ; communes sans valeur exclues (population couverte en "
            "dénominateur). Mesure les écarts entre communes, pas au sein d'une commune."
        )
        out.append(
            Indicator(
                id=indicator_id("fracture", "gini", base_indicator_id=base_id),
                kind="gini",
                base_indicator_id=base_id,
                label=f"Indice de Gini entre communes : {b['label']}",
                unit="indice (0 à 1)",
                definition="Inégalité entre les communes du territoire (0 : toutes égales ; "
                "1 : inégalité maximale). " + scope,
                formula="G = Σ_i Σ_j P_i P_j |x_i − x_j| / (2 (Σ_i P_i)² x̄), "
                "x̄ = Σ P_i x_i / Σ P_i (i, j : communes, P : population)",
                decimals=3,
                **common,
            )
        )
        out.append(
            Indicator(
                id=indicator_id("fracture", "fifth_gap", base_indicator_id=base_id),
                kind="fifth_gap",
                base_indicator_id=base_id,
                label=f"Écart entre le cinquième le mieux et le moins bien desservi : {b['label']}",
                unit=str(b["unit"]),
                definition="Communes classées selon l'indicateur ; moyenne du cinquième (20 %) "
                "de la population aux valeurs les plus hautes moins celle du cinquième aux "
                "valeurs les plus basses (une commune à cheval sur la limite est partagée au "
                "prorata de sa population). " + scope,
                formula="moyenne pondérée des 20 % du haut − moyenne pondérée des 20 % du bas",
                decimals=int(b["decimals"]),
                **common,
            )
        )
    if access_id is not None and income is not None and access_id in rows.index:
        b = rows.loc[access_id]
        source, vintage = income
        out.append(
            Indicator(
                id=indicator_id("fracture", "share_double_peine", base_indicator_id=access_id),
                kind="share_double_peine",
                base_indicator_id=access_id,
                theme="fracture",
                label="Part de la population en « double peine » (commune plus pauvre et plus "
                "éloignée des services que la médiane du département)",
                unit="%",
                definition="Part des habitants vivant dans une commune à la fois plus pauvre "
                "(revenu médian par unité de consommation sous la médiane des communes du "
                "département pondérée par la population, ou taux de pauvreté au-dessus de "
                "celle des communes où il est publié) et plus éloignée des services "
                f"(« {b['label']} » moins bon que la médiane des communes du département). "
                "Communes au revenu couvert par le secret statistique exclues (population "
                "couverte en dénominateur). Définition propre au projet, pas une statistique "
                "officielle.",
                formula="100 × Σ P_c · 1[plus pauvre et plus éloignée] / Σ P_c "
                "(c : communes dont les deux critères sont connus)",
                sources=_join(source, str(b["sources"])),
                vintage=f"{source} : {vintage} ; {b['vintage']}",
                higher_is_better=False,
                decimals=1,
                service_type=None,
                mode=None if pd.isna(b["mode"]) else str(b["mode"]),
                threshold_min=None if pd.isna(b["threshold_min"]) else float(b["threshold_min"]),
            )
        )
    return out


def read_commune_values(
    con: duckdb.DuckDBPyConnection, indicator_ids: list[str], codes: pd.Index
) -> np.ndarray:
    """(indicators x communes) matrix of commune-level values, NaN where NULL or absent.

    Parameters
    ----------
    indicator_ids : list of str
        Rows of the matrix.
    codes : Index
        Commune codes, columns of the matrix.
    """
    matrix = np.full((len(indicator_ids), len(codes)), np.nan)
    frames = {
        "_fracture_ids": pd.DataFrame({"id": indicator_ids, "k": np.arange(len(indicator_ids))}),
        "_fracture_codes": pd.DataFrame({"code": list(codes), "k": np.arange(len(codes))}),
    }
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        cells = con.execute(_sql.FRACTURE_VALUE_CELLS).fetchnumpy()
    finally:
        for name in frames:
            con.unregister(name)
    matrix[np.asarray(cells["row_k"]), np.asarray(cells["col_k"])] = np.asarray(
        cells["value"], dtype=np.float64
    )
    return matrix


def _income(con: duckdb.DuckDBPyConnection, access_id: str | None) -> pd.DataFrame | None:
    """Filosofi commune figures, or None (logged) when the overlay cannot be computed."""
    if not _sql.table_exists(con, "raw_filosofi_communes"):
        log.warning(
            "double peine non calculée : fichier Filosofi des communes (%s) non chargé",
            INCOME_SOURCE,
        )
        return None
    if access_id is None:
        log.warning(
            "double peine non calculée : aucun score du panier du quotidien n'est enregistré"
        )
        return None
    return con.execute(_sql.FRACTURE_FILOSOFI).df()


def _empty_indices() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FRACTURE_COLUMNS}).astype(
        {"value": float, "n_communes": float, "population_covered": float}
    )


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in DOUBLE_PEINE_COLUMNS})


def _share_rows(shares: pd.DataFrame, access_id: str) -> pd.DataFrame:
    """``double_peine_share`` rows of ``fracture_indices`` (complete territories)."""
    rows = shares[shares["level"] != "commune"]
    return pd.DataFrame(
        {
            "indicator_id": access_id,
            "level": rows["level"].to_numpy(),
            "code": rows["code"].to_numpy(),
            "index_id": INDEX_IDS[-1],
            "value": rows["value"].to_numpy(),
            "n_communes": rows["n_communes"].to_numpy(),
            "population_covered": rows["denominator"].to_numpy(),
            # (numpy takes None in an object array; its stub does not list it as array-like)
            "note": np.where(  # type: ignore[call-overload]
                rows["n_communes"].to_numpy() > 0,
                None,
                "aucune commune du territoire n'a un revenu et un accès connus",
            ),
        },
        columns=list(FRACTURE_COLUMNS),
    )


def _headline_values(
    registry: list[Indicator],
    table: pd.DataFrame,
    shares: pd.DataFrame | None,
    territories: pd.DataFrame,
) -> pd.DataFrame:
    """``indicator_values`` rows of the fracture indicators, one per territory.

    NULL for territories without a figure (communes for a Gini, incomplete
    territories); ``secret`` false; ``numerator`` NULL and ``denominator`` the
    population covered for an index; inhabitants in double-peine communes over the
    covered inhabitants for the share.
    """
    keys = territories[["level", "code"]].astype(str).reset_index(drop=True)
    frames = []
    for indicator in registry:
        if indicator.kind == "share_double_peine":
            assert shares is not None
            found = shares[["level", "code", "value", "numerator", "denominator"]]
        else:
            mine = table[
                (table["indicator_id"] == indicator.base_indicator_id)
                & (table["index_id"] == indicator.kind)
            ]
            found = pd.DataFrame(
                {
                    "level": mine["level"].astype(str).to_numpy(),
                    "code": mine["code"].astype(str).to_numpy(),
                    "value": mine["value"].to_numpy(dtype=np.float64),
                    "numerator": np.nan,
                    "denominator": mine["population_covered"].to_numpy(dtype=np.float64),
                }
            )
        merged = keys.merge(
            found.astype({"level": str, "code": str}), on=["level", "code"], how="left"
        )
        frames.append(merged.assign(indicator_id=indicator.id, secret=False))
    columns = ["indicator_id", "level", "code", "value", "secret", "numerator", "denominator"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _write(
    con: duckdb.DuckDBPyConnection,
    table: pd.DataFrame,
    extra: pd.DataFrame | None,
    flags: pd.DataFrame,
    registry: list[Indicator],
    values: pd.DataFrame,
) -> None:
    """Write the three outputs in one transaction (rolled back on any error).

    Frames travel as Arrow tables: categoricals stay dictionary-encoded (a national
    build has millions of index rows).
    """
    frames = {
        "_fracture_frame": table,
        "_fracture_extra": _empty_indices() if extra is None else extra,
        "_double_peine_frame": flags,
        "_theme_registry": registry_frame(registry),
        "_theme_values": values,
    }
    for name, frame in frames.items():
        con.register(name, pa.Table.from_pandas(frame, preserve_index=False))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_sql.WRITE_FRACTURE_INDICES)
        con.execute(_sql.WRITE_DOUBLE_PEINE)
        _sql.replace_theme(con, "fracture", NOTE_INCOMPLETE)
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
    finally:
        for name in frames:
            con.unregister(name)
