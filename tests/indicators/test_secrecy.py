"""Statistical secrecy: primary rules, secondary suppression, and attackers that try to
recompute the blanks from the published tables.

The attackers are written independently of the module: they rebuild the equations a
reader can write from the published tables (communes of an EPCI or a département +
its total, départements of a région + its total, inner columns of a group + the group
total) and try (1) repeated subtraction and (2) exact linear algebra on every blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.constants import SECRECY_MAX_SHARE, SECRECY_MIN_UNITS
from indicators.secrecy import (
    Columns,
    Hierarchy,
    SecrecyRule,
    blank_secret,
    primary_secrecy,
    protect,
    secondary_suppression,
)

# ------------------------------------------------------------------ the attackers


def reader_equations(parents, n_territories, groups, n_columns):
    """Equations (list of {cell: coefficient}) of the published tables.

    ``parents`` maps a published territory to the published territories it adds up
    (its communes, or for a région its départements). Cells are numbered
    ``territory * n_columns + column``.
    """
    equations = []
    for parent, children in parents.items():
        for j in range(n_columns):
            eq = {c * n_columns + j: 1.0 for c in children}
            eq[parent * n_columns + j] = -1.0
            equations.append(eq)
    for t in range(n_territories):
        for inner, total in groups:
            eq = {t * n_columns + j: 1.0 for j in inner}
            eq[t * n_columns + total] = -1.0
            equations.append(eq)
    return equations


def subtraction_attack(values, hidden, equations):
    """Recompute blanks as a reader would: an equation with one blank gives it; repeat.

    Returns {cell: recomputed value}."""
    known = {i: float(v) for i, v in enumerate(values) if not hidden[i]}
    found = {}
    progress = True
    while progress:
        progress = False
        for eq in equations:
            blanks = [c for c in eq if c not in known]
            if len(blanks) != 1:
                continue
            cell = blanks[0]
            rest = sum(coef * known[c] for c, coef in eq.items() if c != cell)
            known[cell] = found[cell] = -rest / eq[cell]
            progress = True
    return found


def determined_blanks(hidden, equations):
    """Blank cells whose value follows from the equations (null-space test, numpy)."""
    cells = np.flatnonzero(hidden)
    if not len(cells):
        return set()
    position = {int(c): k for k, c in enumerate(cells)}
    rows = []
    for eq in equations:
        row = np.zeros(len(cells))
        for c, coef in eq.items():
            if c in position:
                row[position[c]] = coef
        if row.any():
            rows.append(row)
    if not rows:
        return set()  # no equation involves a blank: none can be recomputed
    a = np.vstack(rows)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9 * s.max()).sum())
    null = vt[rank:]
    free = np.abs(null).max(axis=0) > 1e-9 if len(null) else np.zeros(len(cells), bool)
    return {int(c) for c, f in zip(cells, free, strict=True) if not f}


# ------------------------------------------------------------------ primary


def test_constants_come_from_geo():
    rule = SecrecyRule()
    assert (rule.min_units, rule.max_share) == (SECRECY_MIN_UNITS, SECRECY_MAX_SHARE) == (3, 0.85)
    assert "85 %" in rule.text() and "de 1 à 2 établissements" in rule.text()
    with pytest.raises(ValueError, match="max_share"):
        SecrecyRule(max_share=1.5)


def test_primary_threshold():
    secret, reason = primary_secrecy([0, 1, 2, 3, 10], [0, 5, 5, 30, 100], [0, 5, 3, 10, 10])
    assert secret.tolist() == [False, True, True, False, False]
    assert reason[1] == reason[2] == "moins de 3 établissements"
    assert reason[0] == reason[3] == ""


def test_primary_dominance():
    # One establishment of 100-199 employees (149.5 estimated) and two of 1-2 (1.5):
    # 149.5 / 152.5 = 98 % > 85 %.
    secret, reason = primary_secrecy([3, 3, 4, 3], [152.5, 30.0, 0.0, 20.0], [149.5, 10.0, 0, 17])
    assert secret.tolist() == [True, False, False, False]  # 17/20 = 85 % exactly: published
    assert "85 %" in reason[0]
    assert primary_secrecy([], [], [])[0].size == 0


def test_primary_custom_rule_and_2d():
    secret, _ = primary_secrecy([4, 5], [10, 10], [6, 6], SecrecyRule(min_units=5, max_share=0.5))
    assert secret.tolist() == [True, True]
    assert primary_secrecy(np.ones((2, 3)), np.ones((2, 3)), np.zeros((2, 3)))[0].shape == (2, 3)


# ------------------------------------------------------------------ hand-checked


def one_epci(inner):
    """Communes (rows of ``inner``) of one EPCI, columns = inner + total.

    Returns (n, hierarchy, columns, equations) with the EPCI as the last territory.
    """
    inner = np.asarray(inner, dtype=float)
    k, m = inner.shape
    n = np.zeros((k + 1, m + 1))
    n[:k, :m] = inner
    n[:k, m] = inner.sum(axis=1)
    n[k] = n[:k].sum(axis=0)
    hierarchy = Hierarchy(np.full((k, 1), k), k + 1)
    columns = Columns(m + 1, ((tuple(range(m)), m),))
    equations = reader_equations({k: list(range(k))}, k + 1, columns.groups, m + 1)
    return n, hierarchy, columns, equations


def test_single_secret_cell_gets_its_cheapest_partners():
    """Rows: communes A, B, C then their EPCI; columns: associations, coopératives, all.
    A's coopératives (1 establishment) is secret.

    ======  =====  =====  =====
    \\       asso   coop   all
    ======  =====  =====  =====
    A       10     1*     11
    B       7      4      11
    C       6      6      12
    EPCI    23     11     34
    ======  =====  =====  =====

    Alone, A.coop is 11 - 10 (its row) and 11 - 4 - 6 (its column). A second blank is
    needed in A's row and in the coop column, then a cycle closing both: A.asso, and
    B.asso + B.coop (7 + 4 = 11) or C.asso + C.coop (6 + 6 = 12): 10 + 11 = 21 wins.
    Through the total column instead: A.all + B.coop + B.all = 11 + 4 + 11 = 26.
    """
    n, hierarchy, columns, equations = one_epci([[10, 1], [7, 4], [6, 6]])
    primary = np.zeros(n.shape, bool)
    primary[0, 1] = True
    secret = secondary_suppression(n, primary, hierarchy, columns)
    assert {(int(i), int(j)) for i, j in np.argwhere(secret)} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert not subtraction_attack(n.ravel(), secret.ravel(), equations)
    assert not determined_blanks(secret.ravel(), equations)


def test_secret_total_is_protected():
    """A commune of 2 establishments (1 + 1, all secret): a total is protected too."""
    n, hierarchy, columns, equations = one_epci([[1, 1], [5, 7], [9, 4]])
    primary, _ = primary_secrecy(n, n, np.zeros_like(n))
    assert primary[0].all()
    secret = secondary_suppression(n, primary, hierarchy, columns)
    assert not subtraction_attack(n.ravel(), secret.ravel(), equations)
    assert not determined_blanks(secret.ravel(), equations)
    assert (n[secret & ~primary] > 0).all()


def test_lone_commune_hides_its_parent():
    """An EPCI of one commune: its cells equal the commune's, so they are hidden too."""
    n, hierarchy, columns, equations = one_epci([[4, 2]])
    primary, _ = primary_secrecy(n, n, np.zeros_like(n))
    secret = secondary_suppression(n, primary, hierarchy, columns)
    assert secret[1, 1] and secret[0, 1]
    assert not determined_blanks(secret.ravel(), equations)


def test_two_secrets_of_a_top_row_protect_each_other():
    """A département (top level) of communes A and B; columns asso, coop, mutuelle, all.

    ==========  =====  =====  =====  =====
    \\           asso   coop   mut    all
    ==========  =====  =====  =====  =====
    A           10     1*     0      11
    B           10     0      1*     11
    dép.        20     1*     1*     22
    ==========  =====  =====  =====  =====

    Moving one establishment coop -> asso in A and asso -> mutuelle in B changes the
    département only in its two secret cells: A.asso and B.asso (10 + 10) are blanked,
    and the département's associations and total stay published. Through A alone, the
    département's associations would go too (10 + 20).
    """
    n = np.array([[10, 1, 0, 11], [10, 0, 1, 11], [20, 1, 1, 22]], dtype=float)
    hierarchy = Hierarchy(np.array([[2], [2]]), 3)
    columns = Columns(4, (((0, 1, 2), 3),))
    equations = reader_equations({2: [0, 1]}, 3, columns.groups, 4)
    primary, _ = primary_secrecy(n, n, np.zeros_like(n))
    secret = secondary_suppression(n, primary, hierarchy, columns)
    expected = {(0, 0), (0, 1), (1, 0), (1, 2), (2, 1), (2, 2)}
    assert {(int(i), int(j)) for i, j in np.argwhere(secret)} == expected
    assert not subtraction_attack(n.ravel(), secret.ravel(), equations)
    assert not determined_blanks(secret.ravel(), equations)


def test_attackers_find_what_is_recomputable():
    """The attackers themselves: one blank per row is recomputed, a cycle is not."""
    n, _, _, equations = one_epci([[10, 1], [7, 4], [6, 6]])
    hidden = np.zeros(n.shape, bool)
    hidden[0, 1] = True
    assert subtraction_attack(n.ravel(), hidden.ravel(), equations) == {1: 1.0}
    hidden[[0, 0, 1, 1], [0, 1, 0, 1]] = True
    assert not determined_blanks(hidden.ravel(), equations)
    hidden[2, 1] = True  # a blank hanging off the cycle: its row gives it back
    assert determined_blanks(hidden.ravel(), equations) == {2 * 3 + 1}


def test_layout_errors():
    with pytest.raises(ValueError, match="after the communes"):
        Hierarchy(np.array([[0]]), 2)
    with pytest.raises(ValueError, match="never a total"):
        Columns(3, (((0, 1), 1),))
    n, hierarchy, columns, _ = one_epci([[1, 2]])
    with pytest.raises(ValueError, match="territories x columns"):
        secondary_suppression(n[:1], n[:1] > 0, hierarchy, columns)


def test_non_additive_table_is_refused():
    """A lone commune's secret cell with every partner cell empty cannot be protected."""
    hierarchy = Hierarchy(np.array([[1]]), 2)
    columns = Columns(2, (((0,), 1),))
    n = np.array([[1.0, 0.0], [1.0, 0.0]])  # total 0 < its part 1: not additive
    with pytest.raises(ValueError, match="non additifs"):
        secondary_suppression(n, n > 0, hierarchy, columns)


# ------------------------------------------------------------------ frames


def test_protect_reasons_and_blank():
    n, hierarchy, columns, _ = one_epci([[10, 1], [7, 4], [6, 6]])
    result = protect(n, 2 * n, np.ones_like(n), hierarchy, columns)
    assert result.reason[0, 1] == "moins de 3 établissements"
    assert result.secondary.sum() == 3 and not (result.secondary & result.primary).any()
    frame = pd.DataFrame({"v": [1.0, 2.0, 3.0], "v__secret": [False, True, None]})
    blanked = blank_secret(frame, [("v", "v__secret"), ("w", "w__secret")])
    assert blanked["v"].isna().tolist() == [False, True, False]
    assert frame["v"].notna().all()  # input untouched


# ------------------------------------------------------------------ property


@st.composite
def territories(draw):
    """A région of 1-2 départements holding 1-3 EPCI of 1-3 communes (an EPCI may straddle
    both départements); some EPCI unpublished (partly outside the build); establishments
    drawn per commune x family x section, so that every table adds up."""
    n_deps = draw(st.integers(1, 2))
    epci_sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    communes = []  # (epci, dep)
    for e, size in enumerate(epci_sizes):
        for _ in range(size):
            communes.append((e, draw(st.integers(0, n_deps - 1))))
    published_epci = draw(st.lists(st.booleans(), min_size=len(epci_sizes)))
    region_published = draw(st.booleans())
    n_fam, n_sec = draw(st.integers(2, 3)), draw(st.integers(1, 2))
    atoms = draw(
        st.lists(
            st.lists(st.integers(0, 3), min_size=n_fam * n_sec, max_size=n_fam * n_sec),
            min_size=len(communes),
            max_size=len(communes),
        )
    )
    return communes, n_deps, epci_sizes, published_epci, region_published, n_fam, n_sec, atoms


def layout(communes, n_deps, epci_sizes, published_epci, region_published, n_fam, n_sec, atoms):
    """Territories, cells and the reader's equations of a drawn case."""
    k = len(communes)
    epcis = [e for e in range(len(epci_sizes)) if published_epci[e]]
    number = {("c", i): i for i in range(k)}
    for e in epcis:
        number[("e", e)] = len(number)
    deps = list(range(n_deps))
    for d in deps:
        number[("d", d)] = len(number)
    if region_published:
        number[("r", 0)] = len(number)
    n_terr = len(number)
    fam, sec = list(range(n_fam)), list(range(n_fam + 1, n_fam + 1 + n_sec))
    total, n_cols = n_fam, n_fam + n_sec + 1
    columns = Columns(n_cols, ((tuple(fam), total), (tuple(sec), total)))
    ancestors = np.full((k, 3), -1)
    n = np.zeros((n_terr, n_cols))
    for i, ((e, d), counts) in enumerate(zip(communes, atoms, strict=True)):
        grid = np.asarray(counts, float).reshape(n_fam, n_sec)
        n[i, fam], n[i, sec], n[i, total] = grid.sum(axis=1), grid.sum(axis=0), grid.sum()
        ancestors[i] = [number.get(("e", e), -1), number[("d", d)], number.get(("r", 0), -1)]
    parents = {}
    for key, t in number.items():
        if key[0] == "e":
            parents[t] = [i for i, (e, _) in enumerate(communes) if e == key[1]]
        elif key[0] == "d":
            parents[t] = [i for i, (_, d) in enumerate(communes) if d == key[1]]
        elif key[0] == "r":
            parents[t] = [number[("d", d)] for d in deps]
    for parent, children in parents.items():
        n[parent] = n[children].sum(axis=0)
    hierarchy = Hierarchy(ancestors, n_terr)
    return n, hierarchy, columns, reader_equations(parents, n_terr, columns.groups, n_cols)


@settings(max_examples=120, deadline=None)
@given(territories())
def test_no_blank_can_be_recomputed(case):
    n, hierarchy, columns, equations = layout(*case)
    jobs = 2.0 * n
    result = protect(n, jobs, np.minimum(jobs, 4.0), hierarchy, columns)
    secret = result.secret
    assert secret[result.primary].all()
    # Secondary blanks only hide cells holding establishments.
    assert (n[result.secondary] > 0).all()
    assert not subtraction_attack(n.ravel(), secret.ravel(), equations)
    assert not determined_blanks(secret.ravel(), equations)
