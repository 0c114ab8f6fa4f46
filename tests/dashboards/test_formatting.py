"""French number formatting (hand-checked strings, and Babel's CLDR formatting as reference)."""

from __future__ import annotations

from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboards.formatting import (
    LOCALE,
    NBSP,
    display_unit,
    indicator_value,
    integer,
    number,
    unit_title,
    with_unit,
)
from dashboards.queries import Indicator

NNBSP = "\u202f"  # babel's French group separator


def test_number_uses_french_separators() -> None:
    assert number(1234.5, 1) == f"1{NNBSP}234,5"
    assert number(1234567, 0) == f"1{NNBSP}234{NNBSP}567"
    assert number(0.04, 1) == "0,0"
    assert number(-0.04, 1) == "0,0"  # never "-0,0"


@given(
    st.one_of(
        st.floats(-1e12, 1e12, allow_nan=False),
        st.integers(-(10**12), 10**12),
        st.sampled_from([0.125, 2.675, 1.005, -2.5, 0.5, 1.5, 999.95, 999_999.5, -0.0]),
    ),
    st.integers(0, 6),
)
@settings(max_examples=400, deadline=None)
def test_number_is_babels_french_formatting(value: float, decimals: int) -> None:
    """Python's own formatting gives Babel's fr_FR strings (Babel took 50 ms a portrait)."""
    rounded = round(float(value), decimals) or 0.0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    assert number(value, decimals) == format_decimal(rounded, format=pattern, locale=LOCALE)


def test_units_missing_and_secret_are_words_not_zero() -> None:
    assert with_unit(12.34, "%", 1) == f"12,3{NBSP}%"
    assert with_unit(None, "%", 1) == "non disponible"
    assert with_unit(5.0, "%", 1, secret=True) == "secret statistique"
    assert integer(float("nan")) == ""


def _ind(unit: str, label: str) -> Indicator:
    return Indicator("x", "access", label, unit, "", "", "", "", True, 2)


def test_scores_read_out_of_their_basket() -> None:
    score = _ind("score", "Score du quart d'heure à pied (panier du quotidien, sur 3)")
    assert display_unit(score) == "sur 3"
    assert unit_title(score) == "services sur 3"
    assert indicator_value(3.0, score, score.decimals) == f"3,00{NBSP}sur 3"
    assert indicator_value(2.94, score, 1) == f"2,9{NBSP}sur 3"
    gap = _ind(
        "score", "Écart entre le cinquième le mieux et le moins bien desservi : Score (sur 3)"
    )
    assert display_unit(gap) == "services"
    assert display_unit(_ind("score", "Score sans taille")) == "services"
    assert indicator_value(0.1234, _ind("indice (0 à 1)", "Gini"), 3) == "0,123"
    assert indicator_value(None, score, 2, secret=True) == "secret statistique"
    assert indicator_value(12.0, _ind("min", "Temps"), 1) == f"12,0{NBSP}min"
