"""French number formatting (hand-checked strings)."""

from __future__ import annotations

from dashboards.formatting import NBSP, integer, number, with_unit

NNBSP = "\u202f"  # babel's French group separator


def test_number_uses_french_separators() -> None:
    assert number(1234.5, 1) == f"1{NNBSP}234,5"
    assert number(1234567, 0) == f"1{NNBSP}234{NNBSP}567"
    assert number(0.04, 1) == "0,0"
    assert number(-0.04, 1) == "0,0"  # never "-0,0"


def test_units_missing_and_secret_are_words_not_zero() -> None:
    assert with_unit(12.34, "%", 1) == f"12,3{NBSP}%"
    assert with_unit(None, "%", 1) == "valeur manquante"
    assert with_unit(5.0, "%", 1, secret=True) == "secret statistique"
    assert integer(float("nan")) == ""
