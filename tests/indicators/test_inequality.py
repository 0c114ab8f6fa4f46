"""Inequality kernels: hand-computed values, invariants, fast against slow obvious code.

The three communes used by hand::

    ======= ======= ========== =========== =======
    commune minutes population share p_i   class
    ======= ======= ========== =========== =======
    a       10      100        0.2         rural
    b       20      300        0.6         urban
    c       40      100        0.2         rural
    ======= ======= ========== =========== =======

mean = 0.2*10 + 0.6*20 + 0.2*40 = 22 min.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.inequality import (
    band_mean,
    class_gap,
    class_gap_by,
    fifth_means,
    gini,
    gini_by,
    palma,
    palma_by,
    rank_within_groups,
    theil,
    theil_by,
)

X = np.array([10.0, 20.0, 40.0])
W = np.array([100.0, 300.0, 100.0])
FAST = settings(max_examples=60, deadline=None)


# --- Slow obvious implementations ------------------------------------------------------


def slow_gini(x: np.ndarray, w: np.ndarray) -> float:
    """Pairwise definition: Σ_i Σ_j p_i p_j |x_i - x_j| / (2 μ)."""
    p = w / w.sum()
    mu = float((p * x).sum())
    return float((p[:, None] * p[None, :] * np.abs(x[:, None] - x[None, :])).sum() / (2 * mu))


def slow_theil(x: np.ndarray, w: np.ndarray) -> float:
    p = w / w.sum()
    mu = float((p * x).sum())
    return float(
        sum(pi * (xi / mu) * math.log(xi / mu) for pi, xi in zip(p, x, strict=True) if xi > 0)
    )


def people(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """One value per inhabitant (integer weights as replication), sorted."""
    return np.sort(np.repeat(x, counts.astype(int)))


# Indicator values: 0 (a share of 0 %, no service) or a plain magnitude.
VALUE = st.one_of(st.just(0.0), st.floats(0.01, 1000.0))


@st.composite
def units(draw: st.DrawFn, min_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(min_size, 12))
    x = draw(st.lists(VALUE, min_size=n, max_size=n))
    w = draw(st.lists(st.integers(1, 50), min_size=n, max_size=n))
    return np.array(x), np.array(w, dtype=float)


def positive_mean(x: np.ndarray, w: np.ndarray) -> bool:
    return float((x * w).sum()) > 0


# --- Hand-computed values ------------------------------------------------------------


def test_gini_by_hand() -> None:
    # Σ_ij p_i p_j |x_i - x_j| = 2 (.2*.6*10 + .2*.2*30 + .6*.2*20) = 9.6; G = 9.6 / 44.
    assert gini(X, W) == pytest.approx(9.6 / 44)
    # Two units: 0 (weight 1) and 10 (weight 4): the bottom fifth holds nothing, G = 0.2.
    assert gini([0.0, 10.0], [1.0, 4.0]) == pytest.approx(0.2)
    assert gini([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1]) == pytest.approx(0.25)


def test_theil_by_hand() -> None:
    # T = .2 (10/22) ln(10/22) + .6 (20/22) ln(20/22) + .2 (40/22) ln(40/22)
    #   = -0.0716780 - 0.0519873 + 0.2173951 = 0.0937297
    assert theil(X, W).total == pytest.approx(0.0937297, abs=1e-6)
    # Two units 0 and 1: 0 ln 0 = 0, T = 1/2 * 2 ln 2 = ln 2 (the maximum for two).
    assert theil([0.0, 1.0], [1.0, 1.0]).total == pytest.approx(math.log(2))


def test_theil_decomposition_by_hand() -> None:
    # Groups {a, b} (mean 7000/400 = 17.5) and {c} (mean 40); shares 7/11 and 4/11.
    parts = theil(X, W, subgroups=[0, 0, 1])
    between = 7 / 11 * math.log(17.5 / 22) + 4 / 11 * math.log(40 / 22)
    assert parts.between == pytest.approx(between)
    # Within: c alone is equal (T = 0); {a, b}: p = .25/.75, mean 17.5.
    t_ab = 0.25 * (10 / 17.5) * math.log(10 / 17.5) + 0.75 * (20 / 17.5) * math.log(20 / 17.5)
    assert parts.within == pytest.approx(7 / 11 * t_ab)
    assert parts.within + parts.between == pytest.approx(parts.total)


def test_palma_by_hand() -> None:
    # Top 10 %: half of c's share (.1 x 40 = 4); bottom 40 %: a (.2 x 10) + a third of
    # b (.2 x 20) = 6. Palma = 4 / 6.
    assert palma(X, W) == pytest.approx(4 / 6)


def test_fifths_by_hand() -> None:
    # Bottom fifth = exactly commune a (10 min), top fifth = commune c (40 min).
    minutes = fifth_means(X, W, higher_is_better=False)
    assert (minutes.best, minutes.worst, minutes.gap) == pytest.approx((10.0, 40.0, 30.0))
    score = fifth_means(X, W, higher_is_better=True)
    assert (score.best, score.worst, score.gap) == pytest.approx((40.0, 10.0, 30.0))
    # A unit straddling the cut is shared: population 0-40 % = a (20 %) + b (20 %).
    assert band_mean(X, W, 0.0, 0.4) == pytest.approx(15.0)


def test_class_gap_by_hand() -> None:
    gap = class_gap(X, W, [False, True, False], [True, False, True])
    assert (gap.first, gap.second, gap.gap) == pytest.approx((20.0, 25.0, -5.0))


# --- Undefined cases: NaN, never inf, never a made-up value ---------------------------


def test_undefined_values_are_nan() -> None:
    assert math.isnan(gini([0.0, 0.0], [1, 1]))  # mean 0
    assert math.isnan(theil([0.0, 0.0], [1, 1]).total)
    assert math.isnan(palma([0.0, 0.0], [1, 1]))
    assert math.isnan(gini([-1.0, 2.0], [1, 1]))  # negative value
    assert all(math.isnan(v) for v in theil([-1.0, 2.0], [1, 1], [0, 1]))
    # The bottom 40 % hold nothing: the ratio would be infinite.
    assert math.isnan(palma([0.0, 0.0, 0.0, 0.0, 1.0], [1] * 5))
    assert math.isnan(gini([], []))
    assert math.isnan(gini([5.0], [0.0]))  # no weight
    assert math.isnan(class_gap([1.0, 2.0], [1, 1], [True, True], [False, False]).second)
    # Negative values still have band and class means.
    assert fifth_means([-5.0, 5.0], [1, 1], higher_is_better=True).gap == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        ([1.0, np.nan], [1, 1], "finite"),
        ([1.0, np.inf], [1, 1], "finite"),
        ([1.0, 2.0], [1, -1], "weights"),
        ([1.0, 2.0], [1], "same length"),
    ],
)
def test_bad_input_is_refused(values: list, weights: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gini(values, weights)


def test_bad_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="groups must lie"):
        gini_by([1.0, 2.0], [1, 1], [0, 2], 2)
    with pytest.raises(ValueError, match="integers"):
        gini_by([1.0, 2.0], [1, 1], [0.0, 1.0], 2)
    with pytest.raises(ValueError, match="two groups"):
        theil_by([1.0, 2.0], [1, 1], [0, 1], 2, [0, 0], 1)
    with pytest.raises(ValueError, match="Palma cuts"):
        from indicators.inequality import palma_of

        palma_of(rank_within_groups([1.0], [1.0], None), top=0.7, bottom=0.4)


# --- Invariants (hypothesis, small and fast) -----------------------------------------


@FAST
@given(st.floats(0.01, 1e4), st.lists(st.integers(1, 100), min_size=1, max_size=10))
def test_equal_values_mean_no_inequality(value: float, weights: list[int]) -> None:
    x = np.full(len(weights), value)
    w = np.array(weights, dtype=float)
    # Exactly 0, not 1e-16: equal territories must not be ranked apart.
    assert gini(x, w) == 0.0
    parts = theil(x, w, np.arange(len(x)) % 2)
    assert parts == (0.0, 0.0, 0.0)
    # Everyone equal: the top 10 % hold 10 %, the bottom 40 % hold 40 %.
    assert palma(x, w) == 0.25
    assert fifth_means(x, w, higher_is_better=True).gap == 0.0


@FAST
@given(units(), st.floats(0.001, 1000.0))
def test_scale_invariance(data: tuple[np.ndarray, np.ndarray], factor: float) -> None:
    x, w = data
    if not positive_mean(x, w):
        return
    assert gini(x * factor, w) == pytest.approx(gini(x, w), abs=1e-9)
    assert theil(x * factor, w).total == pytest.approx(theil(x, w).total, abs=1e-9)
    ratio, scaled = palma(x, w), palma(x * factor, w)
    assert (math.isnan(ratio) and math.isnan(scaled)) or scaled == pytest.approx(ratio)
    # Population weights are scale-free too.
    assert gini(x, w * factor) == pytest.approx(gini(x, w), abs=1e-9)
    gap = fifth_means(x * factor, w, higher_is_better=True).gap
    assert gap == pytest.approx(factor * fifth_means(x, w, higher_is_better=True).gap)


@FAST
@given(units())
def test_weight_two_equals_duplicated_row(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, w = data
    dup_x, dup_w = np.repeat(x, w.astype(int)), np.ones(int(w.sum()))
    if not positive_mean(x, w):
        assert math.isnan(gini(x, w)) and math.isnan(gini(dup_x, dup_w))
        return
    assert gini(x, w) == pytest.approx(gini(dup_x, dup_w), abs=1e-9)
    assert theil(x, w).total == pytest.approx(theil(dup_x, dup_w).total, abs=1e-9)
    got, expected = palma(x, w), palma(dup_x, dup_w)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)
    one = fifth_means(x, w, higher_is_better=False)
    two = fifth_means(dup_x, dup_w, higher_is_better=False)
    assert one == pytest.approx(two)


@FAST
@given(units(min_size=2), st.data())
def test_theil_within_plus_between_is_total(
    data: tuple[np.ndarray, np.ndarray], draw: st.DataObject
) -> None:
    x, w = data
    groups = np.array(draw.draw(st.lists(st.integers(0, 3), min_size=len(x), max_size=len(x))))
    parts = theil(x, w, groups)
    if not positive_mean(x, w):
        assert math.isnan(parts.total)
        return
    assert parts.total == pytest.approx(slow_theil(x, w), abs=1e-9)
    assert parts.within + parts.between == pytest.approx(parts.total, abs=1e-9)
    assert parts.within >= 0 and parts.between >= 0


@FAST
@given(units())
def test_gini_fast_equals_pairwise(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, w = data
    if not positive_mean(x, w):
        return
    g = gini(x, w)
    assert g == pytest.approx(slow_gini(x, w), abs=1e-9)
    assert 0.0 <= g < 1.0


@FAST
@given(units(), st.randoms(use_true_random=False))
def test_order_of_units_does_not_matter(data: tuple[np.ndarray, np.ndarray], rnd) -> None:
    x, w = data
    order = list(range(len(x)))
    rnd.shuffle(order)
    for kernel in (gini, palma):
        a, b = kernel(x, w), kernel(x[order], w[order])
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)


@FAST
@given(
    st.lists(VALUE, min_size=1, max_size=8),
    st.data(),
)
def test_palma_and_fifths_against_inhabitants(values: list[float], draw: st.DataObject) -> None:
    """With 10 k inhabitants, the cuts fall between people: count them one by one."""
    x = np.array(values)
    counts = np.array(draw.draw(st.lists(st.integers(1, 6), min_size=len(x), max_size=len(x))))
    total = int(counts.sum())
    counts[0] += (-total) % 10  # make the population a multiple of 10
    n = int(counts.sum())
    each = people(x, counts)
    top, bottom = each[n - n // 10 :].sum(), each[: 4 * n // 10].sum()
    got = palma(x, counts.astype(float))
    if bottom > 0 and each.sum() > 0:
        assert got == pytest.approx(top / bottom)
    else:
        assert math.isnan(got)
    fifths = fifth_means(x, counts.astype(float), higher_is_better=True)
    assert fifths.worst == pytest.approx(each[: n // 5].mean(), abs=1e-9)
    assert fifths.best == pytest.approx(each[n - n // 5 :].mean(), abs=1e-9)


@FAST
@given(units(min_size=2), st.data())
def test_grouped_equals_one_group_at_a_time(
    data: tuple[np.ndarray, np.ndarray], draw: st.DataObject
) -> None:
    x, w = data
    groups = np.array(draw.draw(st.lists(st.integers(-1, 2), min_size=len(x), max_size=len(x))))
    sub = np.array(draw.draw(st.lists(st.integers(0, 2), min_size=len(x), max_size=len(x))))
    urban = sub == 0
    gini_all, palma_all = gini_by(x, w, groups, 3), palma_by(x, w, groups, 3)
    theil_all = theil_by(x, w, groups, 3, sub)
    gaps = class_gap_by(x, w, groups, 3, urban, ~urban)
    for g in range(3):
        m = groups == g
        expected = (gini(x[m], w[m]), palma(x[m], w[m]), *theil(x[m], w[m], sub[m]))
        expected += tuple(class_gap(x[m], w[m], urban[m], ~urban[m]))
        got = (gini_all[g], palma_all[g], *(a[g] for a in theil_all), *(a[g] for a in gaps))
        assert np.allclose(got, expected, equal_nan=True, atol=1e-12)


def test_nested_subgroups_fast_path_equals_general() -> None:
    x = np.array([1.0, 5.0, 2.0, 8.0, 3.0, 0.0])
    w = np.array([10.0, 20.0, 5.0, 5.0, 30.0, 1.0])
    groups = np.array([0, 0, 0, 1, 1, 1])
    sub = np.array([0, 1, 1, 0, 0, 1])  # id 0 and 1 used by both groups
    nested = np.array([0, 1, 1, 2, 2, 3])  # the same subgroups numbered apart
    general = theil_by(x, w, groups, 2, sub)
    fast = theil_by(x, w, groups, 2, nested, 4)
    assert np.allclose(np.array(general), np.array(fast))


def test_zero_weights_and_ungrouped_units_count_for_nothing() -> None:
    assert gini([1.0, 2.0, 1000.0], [1, 1, 0]) == pytest.approx(gini([1.0, 2.0], [1, 1]))
    by = gini_by([1.0, 2.0, 1000.0], [1, 1, 5], [0, 0, -1], 1)
    assert by[0] == pytest.approx(gini([1.0, 2.0], [1, 1]))
