"""INSEE code rules of :mod:`etl.vocabulary`: commune codes, départements, metric CRS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.vocabulary import (
    COMMUNE_CODE_RE,
    MAINLAND_EPSG,
    CodeError,
    departement_of,
    metric_epsg,
    pad_commune_code,
    pad_commune_codes,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35238", "35238"),
        ("1001", "01001"),  # leading zero lost by a spreadsheet
        (1001, "01001"),
        ("1001.0", "01001"),  # a float written back as text
        (" 2a004 ", "2A004"),  # Corsica, lower case and spaces
        ("2B033", "2B033"),
        ("97411", "97411"),  # La Réunion
        ("97608", "97608"),  # Mayotte
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_pad_commune_code(raw: object, expected: str | None) -> None:
    assert pad_commune_code(raw) == expected


@pytest.mark.parametrize("bad", ["ABCDE", "2C004", "123456", "35 238", "2A04"])
def test_pad_commune_code_rejects_bad_codes(bad: str) -> None:
    with pytest.raises(CodeError, match="code commune INSEE invalide"):
        pad_commune_code(bad)


def test_pad_commune_codes_vectorised() -> None:
    codes = pd.Series(["1001", "2a004", "97411", "", None, "75056"])
    out = pad_commune_codes(codes)
    assert out.tolist()[:3] == ["01001", "2A004", "97411"]
    assert out.isna().tolist() == [False, False, False, True, True, False]
    assert out.iloc[5] == "75056"


def test_pad_commune_codes_names_the_bad_codes() -> None:
    with pytest.raises(CodeError, match=r"2 code\(s\) commune INSEE invalide\(s\).*'ABCDE'"):
        pad_commune_codes(pd.Series(["35238", "ABCDE", "2C004"]))


def test_commune_code_pattern() -> None:
    assert all(COMMUNE_CODE_RE.match(c) for c in ["01001", "2A004", "2B033", "97411"])
    assert not any(COMMUNE_CODE_RE.match(c) for c in ["1001", "2C004", "974111", "2a004"])


@pytest.mark.parametrize(
    ("commune", "dep"),
    [("35238", "35"), ("01001", "01"), ("2A004", "2A"), ("2B033", "2B"), ("97411", "974")],
)
def test_departement_of(commune: str, dep: str) -> None:
    assert departement_of(commune) == dep


@pytest.mark.parametrize(
    ("commune", "epsg"),
    [
        ("35238", MAINLAND_EPSG),
        ("2A004", MAINLAND_EPSG),  # Corsica is in Lambert-93
        ("97105", 5490),  # Guadeloupe
        ("97209", 5490),  # Martinique
        ("97302", 2972),  # Guyane
        ("97411", 2975),  # La Réunion
        ("97608", 4471),  # Mayotte
        ("97502", MAINLAND_EPSG),  # no local CRS declared: Lambert-93 by default
    ],
)
def test_metric_epsg(commune: str, epsg: int) -> None:
    assert metric_epsg(commune) == epsg
    assert isinstance(metric_epsg(commune), int | np.integer)
