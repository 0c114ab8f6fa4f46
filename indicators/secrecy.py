"""Statistical secrecy of establishment tables: primary rules and secondary suppression.

Every figure built from Sirene establishments (the ESS theme) passes through this
module before it is written; exports blank what it flags (:func:`blank_secret`). INSEE
protects such tables with Tau-Argus (R/Java); no Python equivalent exists on PyPI,
hence this small implementation, tested against an independent attacker
(``tests/indicators/test_secrecy.py``).

Cells and what a reader knows
-----------------------------
A *cell* is one (territory, column) figure: a number of establishments, their estimated
jobs, and the estimated jobs of the largest one. Published territories are numbered
with the communes first; a :class:`Hierarchy` gives, for each commune, the published
territories that contain it (its EPCI, département, région; -1 where a level is absent
or not published, e.g. a territory only partly inside the build). Columns
(:class:`Columns`) come in additive groups: the inner columns of a group add up to its
total column (ESS families -> all ESS; NAF sections -> all ESS, the same total); a
column in no group stands alone (all employing establishments).

A reader sees every published cell, hence the equations of the published tables:

- rows: in every territory, the inner columns of a group add up to the group total
  (tables "communes of an EPCI / a département + its total" x "families + total");
- hierarchy: in every column, an EPCI or a département is the sum of its communes and
  a région the sum of its départements (so of its communes).

Rules
-----
1. **Primary secrecy** (:func:`primary_secrecy`): a cell holding 1 to ``min_units - 1``
   establishments (1 or 2), or one where a single establishment has more than
   ``max_share`` (85 %) of the cell's estimated jobs. Thresholds: the
   ``secrecy_min_units`` / ``secrecy_max_share`` fields of
   :class:`geo.constants.ModelConstants` (:meth:`SecrecyRule.from_constants`).
2. **Secondary suppression** (:func:`secondary_suppression`): more cells are blanked so
   that no blank can be recomputed from the published cells by any linear combination
   of the equations (not only by one subtraction).

Why no blank can be recomputed
------------------------------
A blank is recomputable exactly iff every change of the hidden values that leaves all
published cells unchanged leaves it unchanged too. So a blank is safe once one such
change moves it: a *certificate*. The certificates used here move one establishment
between columns in a commune ``c`` (a pattern: +1 and -1 on two inner columns of a
group, or +1 on an inner column, its total and one inner column of every other group
sharing that total), and back in a partner commune ``c'`` (or in none). The cells that
change are the pattern's columns in every territory containing exactly one of ``c`` and
``c'``; such a change keeps every row and hierarchy equation by construction. When all
its cells are blank, none of them can be recomputed.

For each primary cell that no earlier certificate moves, the cheapest certificate
through it is chosen and its cells are blanked. Cost: the establishments of the cells
it newly blanks; an empty cell is never blanked, so every blank count can move by one
establishment both ways. For a commune, partners are searched among the communes in
exactly the same containers first (same EPCI and département), then among those
sharing a container below the top level, then none. A territory above the commune
takes a commune inside it and a partner in its parent territory (or none), and also
tries *paired* certificates: ``col`` -> k in a commune ``c`` inside it and ``other``
-> k in another one ``c'``, so that their common containers change only in ``col``
and ``other`` (two cells of one group): two secret cells of a row then protect each
other without a third blank in that row (a tie in cost goes to these). Territories
are processed from the régions down, group totals first.

Limits: the guarantee is against exact recomputation; Tau-Argus' protection intervals
(how wide the range of a blank must be) are not computed. The caller
(:func:`indicators.ess_step.ess_result`) protects the cells of every territory of
France, then publishes the build's share: two warehouses of different extent built
from the same Sirene data publish the same blanks (``tests/indicators/
test_secrecy_extent.py``); builds from different Sirene files do not. The job
figures of a blank may be pinned by nonnegativity when the
cells of its certificate hold no estimated job (e.g. brackets ``00``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import DEFAULT_CONSTANTS, ModelConstants

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Pattern = npt.NDArray[np.int8]

REASON_NONE: Final = ""
REASON_FEW: Final = "moins de {min_units} établissements"
REASON_DOMINANCE: Final = "un établissement porte plus de {share:g} % des emplois estimés"
# Cost of blanking an empty cell: never chosen (and exact in float64 sums).
_EMPTY: Final = 1e10
# Communes (inside a territory, and partners outside it) kept for the pair search of a
# cell above the commune level: the cheapest ones alone.
_PAIR_POOL: Final = 24
# Other columns of the group tried for a paired certificate (the cheapest ones in t).
_PAIRED_COLUMNS: Final = 2


@dataclass(frozen=True)
class SecrecyRule:
    """Thresholds of primary secrecy (defaults: ``geo.constants.DEFAULT_CONSTANTS``)."""

    min_units: int = DEFAULT_CONSTANTS.secrecy_min_units
    max_share: float = DEFAULT_CONSTANTS.secrecy_max_share

    @classmethod
    def from_constants(cls, constants: ModelConstants = DEFAULT_CONSTANTS) -> SecrecyRule:
        """The rule of a set of model constants.

        Parameters
        ----------
        constants : ModelConstants
            Read: ``secrecy_min_units`` and ``secrecy_max_share``.

        Returns
        -------
        SecrecyRule
        """
        return cls(constants.secrecy_min_units, constants.secrecy_max_share)

    def __post_init__(self) -> None:
        if self.min_units < 1 or not 0 < self.max_share <= 1:
            raise ValueError("min_units >= 1 and 0 < max_share <= 1 required")

    def text(self) -> str:
        """The rule in French, for metadata sheets and indicator definitions."""
        share = f"{100 * self.max_share:g}".replace(".", ",")
        return (
            f"Secret statistique : une case n'est pas publiée si elle compte de 1 à "
            f"{self.min_units - 1} établissements, ou si un seul établissement porte plus "
            f"de {share} % des emplois estimés de la case (emplois estimés au milieu de la "
            "tranche d'effectif Sirene). Secret secondaire : d'autres cases sont masquées "
            "pour qu'aucune case secrète ne puisse être recalculée à partir des totaux "
            "(communes d'un EPCI ou d'un département et leur total, départements d'une "
            "région, familles et secteurs de l'ESS et leur total). Valeur vide et "
            "marque « secret »."
        )


def primary_secrecy(
    n_units: npt.ArrayLike,
    total: npt.ArrayLike,
    max_unit: npt.ArrayLike,
    rule: SecrecyRule = SecrecyRule(),
) -> tuple[BoolArray, npt.NDArray[np.object_]]:
    """Cells failing the threshold or the dominance rule.

    Parameters
    ----------
    n_units : array of int
        Establishments in each cell.
    total : array of float
        Estimated jobs of each cell (NaN read as 0).
    max_unit : array of float
        Estimated jobs of the cell's largest establishment (NaN read as 0).
    rule : SecrecyRule
        Thresholds.

    Returns
    -------
    (secret, reason)
        Boolean array and French reason per cell (``""`` when published), same shape
        as the input. A cell with 0 establishments is never secret; a cell with 0
        estimated jobs is never dominated. Empty input gives empty arrays.
    """
    n = np.asarray(n_units, dtype=np.float64)
    jobs = np.nan_to_num(np.asarray(total, dtype=np.float64))
    top = np.nan_to_num(np.asarray(max_unit, dtype=np.float64))
    few = (n > 0) & (n < rule.min_units)
    dominated = (jobs > 0) & (top > rule.max_share * jobs)
    reason = np.full(n.shape, REASON_NONE, dtype=object)
    reason[dominated] = REASON_DOMINANCE.format(share=100 * rule.max_share)
    reason[few] = REASON_FEW.format(min_units=rule.min_units)
    return few | dominated, reason


@dataclass(frozen=True)
class Hierarchy:
    """Published territories numbered ``0 .. n_territories - 1``, communes first.

    ``ancestors[i, k]`` is the territory number of commune ``i``'s published container
    at level ``k`` (e.g. 0 EPCI, 1 département, 2 région), -1 when there is none. A
    territory appears at one level only.
    """

    ancestors: IntArray
    n_territories: int

    def __post_init__(self) -> None:
        a = np.asarray(self.ancestors)
        if a.ndim != 2 or not np.issubdtype(a.dtype, np.integer):
            raise ValueError("ancestors must be a 2-D integer array (communes x levels)")
        named = a[a >= 0]
        if named.size and (named.min() < a.shape[0] or named.max() >= self.n_territories):
            raise ValueError("ancestors must name territories numbered after the communes")
        for k in range(a.shape[1]):
            others = np.delete(a, k, axis=1)
            if np.isin(a[:, k][a[:, k] >= 0], others).any():
                raise ValueError(f"a territory of level {k} also appears at another level")

    @property
    def n_communes(self) -> int:
        return int(np.asarray(self.ancestors).shape[0])


@dataclass(frozen=True)
class Columns:
    """Column groups: ``groups`` = ((inner columns, total column), ...)."""

    n_columns: int
    groups: tuple[tuple[tuple[int, ...], int], ...] = ()
    _patterns: dict[int, npt.NDArray[np.int8]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        inner = [c for cols, _ in self.groups for c in cols]
        totals = {t for _, t in self.groups}
        if len(set(inner)) != len(inner) or set(inner) & totals:
            raise ValueError("a column is inner to one group at most, and never a total")
        if any(not 0 <= c < self.n_columns for c in [*inner, *totals]):
            raise ValueError("group columns must lie in 0 .. n_columns - 1")
        if any(len(cols) < 1 for cols, _ in self.groups):
            raise ValueError("every group needs at least one inner column")

    def is_total(self, column: int) -> bool:
        return any(t == column for _, t in self.groups)

    def group_of(self, column: int) -> tuple[int, ...]:
        """Inner columns of the group ``column`` is inner to (empty if none)."""
        return next((cols for cols, _ in self.groups if column in cols), ())

    def patterns(self, column: int) -> npt.NDArray[np.int8]:
        """Signed column patterns through ``column`` that keep every row equation.

        Returns
        -------
        array of int8, shape (k, n_columns)
            One pattern per row: +1/-1 on two inner columns of a group; or +1 on an
            inner column, its total and one inner column of every other group with
            that total; or +1 on a column in no group.
        """
        if column not in self._patterns:
            self._patterns[column] = self._build_patterns(column)
        return self._patterns[column]

    def _build_patterns(self, column: int) -> npt.NDArray[np.int8]:
        rows: list[dict[int, int]] = []
        own = [(cols, t) for cols, t in self.groups if column in cols]
        if own:
            cols, total = own[0]
            rows += [{column: 1, k: -1} for k in cols if k != column]
            others = [g for g, t in self.groups if t == total and g is not cols]
            rows += [{column: 1, total: 1, **dict.fromkeys(p, 1)} for p in product(*others)]
        elif self.is_total(column):
            inner = [g for g, t in self.groups if t == column]
            rows += [{column: 1, **dict.fromkeys(p, 1)} for p in product(*inner)]
        else:
            rows.append({column: 1})
        out = np.zeros((len(rows), self.n_columns), dtype=np.int8)
        for i, row in enumerate(rows):
            out[i, list(row)] = list(row.values())
        return out


@dataclass(frozen=True)
class Protection:
    """Result of :func:`protect` (arrays territories x columns)."""

    primary: BoolArray
    secret: BoolArray
    reason: npt.NDArray[np.object_]

    @property
    def secondary(self) -> BoolArray:
        return self.secret & ~self.primary


def protect(
    n_units: npt.ArrayLike,
    jobs: npt.ArrayLike,
    max_jobs: npt.ArrayLike,
    hierarchy: Hierarchy,
    columns: Columns,
    rule: SecrecyRule = SecrecyRule(),
) -> Protection:
    """Primary then secondary secrecy of a table of published cells.

    Parameters
    ----------
    n_units, jobs, max_jobs : arrays (territories x columns)
        Establishments, estimated jobs, estimated jobs of the largest establishment.
    hierarchy, columns : Hierarchy, Columns
        Layout of the published tables.
    rule : SecrecyRule
        Thresholds of primary secrecy.

    Returns
    -------
    Protection
        ``primary``, ``secret`` (primary or secondary) and the French ``reason`` of
        the primary cells. Pure.
    """
    first, reason = primary_secrecy(n_units, jobs, max_jobs, rule)
    secret = secondary_suppression(n_units, first, hierarchy, columns)
    return Protection(primary=first, secret=secret, reason=reason)


def secondary_suppression(
    n_units: npt.ArrayLike,
    primary: npt.ArrayLike,
    hierarchy: Hierarchy,
    columns: Columns,
) -> BoolArray:
    """Blank more cells so that no blank can be recomputed (module docstring).

    Parameters
    ----------
    n_units : array (territories x columns)
        Establishments per cell: the cost of blanking it (0 = never blanked). Cells must
        add up along the hierarchy and the column groups.
    primary : bool array (territories x columns)
        Cells that must be blank.
    hierarchy, columns : Hierarchy, Columns

    Returns
    -------
    bool array (territories x columns)
        ``primary`` plus the secondary blanks. Pure.

    Raises
    ------
    ValueError
        Shapes that do not match the layout, or a primary cell no certificate can
        protect (only with non-additive input, e.g. a total smaller than its parts).
    """
    n = np.asarray(n_units, dtype=np.float64)
    first = np.asarray(primary, dtype=bool)
    shape = (hierarchy.n_territories, columns.n_columns)
    if n.shape != shape or first.shape != shape:
        raise ValueError(f"cells must be {shape} (territories x columns), got {n.shape}")
    search = _Search(n, first.copy(), hierarchy, columns)
    for t, col in search.order():
        if not search.covered[t, col]:
            search.protect(t, col)
    return search.secret


class _Search:
    """State of one secondary suppression (blanks, cells already moved, costs).

    ``weight`` has one extra row of zeros (number ``n_territories``) that stands for
    "no container", so that ``weight[padded ancestors]`` needs no mask.
    """

    def __init__(
        self, n: FloatArray, secret: BoolArray, hierarchy: Hierarchy, columns: Columns
    ) -> None:
        n_terr = hierarchy.n_territories
        self.secret = secret
        self.covered = np.zeros_like(secret)
        self.columns = columns
        self.anc = np.asarray(hierarchy.ancestors, dtype=np.int64)
        self.padded = np.where(self.anc >= 0, self.anc, n_terr)
        self.n_communes = hierarchy.n_communes
        self.weight = np.zeros((n_terr + 1, columns.n_columns))
        self.weight[:n_terr] = np.where(secret, 0.0, np.where(n > 0, n, _EMPTY))
        self.supports: dict[int, FloatArray] = {}
        self.depth = np.zeros(n_terr, dtype=np.int64)
        self.members: list[IntArray] = [np.empty(0, np.int64)] * n_terr
        for k in range(self.anc.shape[1]):
            has = np.flatnonzero(self.anc[:, k] >= 0)
            if not len(has):
                continue
            order = has[np.argsort(self.anc[has, k], kind="stable")]
            owners, starts = np.unique(self.anc[order, k], return_index=True)
            for owner, chunk in zip(owners, np.split(order, starts[1:]), strict=True):
                self.members[int(owner)] = chunk
                self.depth[int(owner)] = k + 1
        # Siblings: communes in exactly the same published containers.
        group = np.zeros(self.n_communes, dtype=np.int64)
        if self.anc.shape[1] and self.n_communes:
            group = np.unique(self.anc, axis=0, return_inverse=True)[1].ravel()
        order = np.argsort(group, kind="stable")
        starts = np.unique(group[order], return_index=True)[1]
        self.siblings = [np.empty(0, np.int64)] * self.n_communes
        for chunk in np.split(order, starts[1:]) if self.n_communes else []:
            for x in chunk:
                self.siblings[int(x)] = chunk
        # Partner communes of a commune: those sharing a container below the top level
        # (all levels when there is only one).
        self.near_levels = max(1, self.anc.shape[1] - 1)
        # Weights of each commune plus its containers, kept up to date by _blank.
        self.closed = self.weight[: self.n_communes] + self.weight[self.padded].sum(axis=1)

    def order(self) -> list[tuple[int, int]]:
        """Primary cells, from the highest level down; group totals first."""
        t, col = np.nonzero(self.secret)
        total = np.array([self.columns.is_total(int(c)) for c in col], dtype=bool)
        keys = np.lexsort((col, ~total, t, -self.depth[t]))
        return [(int(t[k]), int(col[k])) for k in keys]

    def protect(self, t: int, col: int) -> None:
        patterns = self.columns.patterns(col)
        best: tuple[float, int, int, Pattern, Pattern] | None = None
        for c, partner, cost in self._candidates(t, col, self._support(col)):
            i, p = divmod(int(np.argmin(cost)), cost.shape[1])
            if cost[i, p] < _EMPTY / 2:
                best = (float(cost[i, p]), int(c[i]), int(partner[i]), patterns[p], patterns[p])
                break
        if t >= self.n_communes:  # a tie goes to the paired certificate: it keeps more of
            for option in self._paired(t, col, patterns):  # t's row published
                if best is None or option[0] <= best[0]:
                    best = option
        if best is None:
            raise ValueError(
                f"secret secondaire impossible pour la case ({t}, {col}) : tableaux non additifs"
            )
        self._blank(*best[1:])

    def _support(self, col: int) -> FloatArray:
        """Columns x patterns through ``col``: 1 where a pattern changes the column."""
        if col not in self.supports:
            self.supports[col] = np.abs(self.columns.patterns(col)).T.astype(np.float64)
        return self.supports[col]

    def _closed(self, x: int) -> set[int]:
        """Commune ``x`` and its published containers (nothing for -1)."""
        return set() if x < 0 else {x, *(int(a) for a in self.anc[x] if a >= 0)}

    def _blank(self, c: int, partner: int, first: Pattern, second: Pattern) -> None:
        """Blank the cells of the certificate: ``first`` in the territories of ``c`` only,
        ``second`` in those of ``partner`` only, their difference in both."""
        mine, theirs = self._closed(c), self._closed(partner)
        for rows, pattern in (
            (mine - theirs, first),
            (theirs - mine, second),
            (mine & theirs, first - second),
        ):
            cols = np.flatnonzero(pattern)
            for row in sorted(rows) if len(cols) else ():
                old = self.weight[row, cols]
                if old.any():
                    users = np.array([row]) if row < self.n_communes else self.members[row]
                    self.closed[np.ix_(users, cols)] -= old
                    self.weight[row, cols] = 0.0
                self.secret[row, cols] = self.covered[row, cols] = True

    def _paired(
        self, t: int, col: int, patterns: Pattern
    ) -> Iterator[tuple[float, int, int, Pattern, Pattern]]:
        """Certificates moving ``col`` -> k in a commune ``c`` of ``t`` and ``other`` -> k in
        another one ``c2``: their common containers (``t`` among them) change only in
        ``col`` and ``other`` (two cells of the same group), e.g. two secret cells of a
        département's row protect each other without a third blank there.
        """
        others = [k for k in self.columns.group_of(col) if k != col]
        others = [k for k in others if self.weight[t, k] < _EMPTY / 2]
        inside = self.members[t]
        firsts = self._cheapest(self._usable(inside, col), self._support(col))
        for other in sorted(others, key=lambda k: self.weight[t, k])[:_PAIRED_COLUMNS]:
            keep = patterns[:, other] == 0
            seconds = self._cheapest(self._usable(inside, other), self._support(other))
            c, c2 = np.repeat(firsts, len(seconds)), np.tile(seconds, len(firsts))
            c, c2 = c[c != c2], c2[c != c2]
            if not len(c) or not keep.any():
                continue
            a, b = self.padded[c], self.padded[c2]
            common = self.weight[np.where(a == b, a, len(self.weight) - 1)].sum(axis=1)
            first, second = self.closed[c], self.closed[c2]
            cost = (first + second - 2 * common) @ self._support(col)[:, keep]
            swap = second[:, other] - second[:, col] + 2 * common[:, col]
            cost += swap[:, None]
            i, p = divmod(int(np.argmin(cost)), cost.shape[1])
            if cost[i, p] < _EMPTY / 2:
                chosen = patterns[keep][p]
                twin = chosen.copy()
                twin[other], twin[col] = chosen[col], 0
                yield float(cost[i, p]), int(c[i]), int(c2[i]), chosen, twin

    def _candidates(
        self, t: int, col: int, support: FloatArray
    ) -> Iterator[tuple[IntArray, IntArray, FloatArray]]:
        """Batches of (commune, partner) pairs through ``t`` with their costs per pattern,
        cheapest kinds first (computed lazily: a later batch only if needed).

        Every certificate changes the ``col`` cell of both communes: a commune whose
        ``col`` cell is empty (and published) is never a candidate.
        """
        if t < self.n_communes:
            siblings = self._usable(self.siblings[t], col)
            siblings = siblings[siblings != t]
            if len(siblings):  # same containers: only the two communes' cells change
                cost = (self.weight[t] + self.weight[siblings]) @ support
                yield np.full(len(siblings), t), siblings, cost
            near = [self.members[int(a)] for a in self.anc[t, : self.near_levels] if a >= 0]
            pool = self._usable(np.concatenate([*near, np.empty(0, np.int64)]), col)
            pool = np.unique(pool[pool != t])
            pairs = np.full(len(pool) + 1, t), np.append(pool, -1)
            yield *pairs, self._pair_costs(*pairs, support)
            return
        level = int(self.depth[t])  # t is at level - 1; containers at `level` hold it
        inside = self._usable(self.members[t], col)
        pool = np.empty(0, np.int64)
        if level < self.anc.shape[1]:
            parents = np.unique(self.anc[inside, level])
            parents = parents[parents >= 0]
            pool = np.concatenate([pool, *(self.members[p] for p in parents)])
            pool = self._usable(pool[self.anc[pool, level - 1] != t], col)
        inside, pool = self._cheapest(inside, support), self._cheapest(pool, support)
        partners = np.append(pool, -1)
        pairs = np.repeat(inside, len(partners)), np.tile(partners, len(inside))
        yield *pairs, self._pair_costs(*pairs, support)

    def _usable(self, communes: IntArray, col: int) -> IntArray:
        return communes[self.weight[communes, col] < _EMPTY / 2]

    def _cheapest(self, communes: IntArray, support: FloatArray) -> IntArray:
        if len(communes) <= _PAIR_POOL:
            return communes
        alone = (self._closed_rows(communes) @ support).min(axis=1)
        return communes[np.argsort(alone, kind="stable")[:_PAIR_POOL]]

    def _closed_rows(self, x: IntArray) -> FloatArray:
        """Weights of communes ``x`` plus their containers, per column (a copy)."""
        return self.closed[x]

    def _pair_costs(self, c: IntArray, partner: IntArray, support: FloatArray) -> FloatArray:
        """Cost of each (pair, pattern): weights of the cells the certificate changes.

        The territories changed are those containing exactly one of the two communes:
        closed(c) + closed(partner) - 2 x (their common containers).
        """
        rows = self._closed_rows(c)
        has = partner >= 0
        if has.any():
            a, b = self.padded[c[has]], self.padded[partner[has]]
            common = np.where(a == b, a, len(self.weight) - 1)
            rows[has] += self._closed_rows(partner[has]) - 2 * self.weight[common].sum(axis=1)
        return rows @ support


def blank_secret(frame: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Blank every value whose secrecy flag is set (the last gate before an export).

    Parameters
    ----------
    frame : DataFrame
        Any frame.
    pairs : sequence of (value column, flag column)
        Boolean flag columns; a missing flag reads as False.

    Returns
    -------
    DataFrame
        A copy with the flagged values set to NaN (NULL). Pure.
    """
    out = frame.copy()
    for value, flag in pairs:
        if flag in out:
            hide = out[flag].astype("boolean").fillna(False).to_numpy(dtype=bool)
            out[value] = out[value].astype("float64").mask(hide)
    return out
