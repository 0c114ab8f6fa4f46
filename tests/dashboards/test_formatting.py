"""French number formatting (hand-checked strings)."""

from __future__ import annotations

from dashboards.formatting import (
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
