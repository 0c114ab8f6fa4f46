"""ESS kernels: families, NAF sections, jobs from brackets, employing rule, cells and
indicator values on hand-checkable inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.constants import ESS_BRACKET_JOBS
from indicators.ess import (
    ALL_COLUMN,
    COLUMN_KEYS,
    ESS_COLUMN,
    FAMILIES,
    SECTION_COLUMNS,
    SECTIONS,
    bracket_jobs,
    ess_cells,
    ess_family,
    is_employing,
    naf_section,
    territory_layout,
)
from indicators.ess_indicators import (
    ESS_INDICATOR_IDS,
    EssSources,
    ess_registry,
    indicator_values,
    sector_rows,
)

# ------------------------------------------------------------------ kernels


def test_family_from_legal_category():
    codes = {
        "9220": "association",  # Association déclarée
        "9210": "association",
        "9260": "association",  # droit local Alsace-Moselle
        "9300": "fondation",
        "8210": "mutuelle",  # Mutuelle
        "8250": "mutuelle",  # Assurance mutuelle agricole
        "6411": "mutuelle",  # Société d'assurance à forme mutuelle
        "5458": "cooperative",  # SARL SCOP
        "5560": "cooperative",  # Autre SA coopérative à CA
        "5191": "cooperative",  # Société de caution mutuelle (niveau II 51)
        "6317": "cooperative",  # Société coopérative agricole
        "6316": "cooperative",  # CUMA
        "6100": "cooperative",  # Caisse d'épargne et de prévoyance
        "6596": "cooperative",  # Caisse de crédit agricole mutuel
        "6543": "cooperative",  # Société civile coopérative de construction
        "5710": "societe_commerciale",  # SAS
        "5499": "societe_commerciale",  # SARL
        "5599": "societe_commerciale",  # SA à CA
        "6540": "autre",  # Société civile immobilière
        "8510": "autre",  # Institution de prévoyance
        "9900": "autre",  # Autre personne morale de droit privé
        "7210": "autre",  # Commune
        "92": "autre",  # malformed
    }
    got = ess_family(pd.Series([*codes, None]))
    assert got.tolist() == [*codes.values(), "autre"]
    assert set(got) <= {f for f, _ in FAMILIES}


def test_naf_sections_by_division():
    codes = {
        "01.61Z": "A",
        "03.22Z": "A",
        "05.10Z": "B",
        "10.71C": "C",
        "33.20A": "C",
        "35.11Z": "D",
        "36.00Z": "E",
        "39.00Z": "E",
        "43.32A": "F",
        "47.11F": "G",
        "53.20Z": "H",
        "56.10A": "I",
        "63.99Z": "J",
        "65.12Z": "K",
        "68.20A": "L",
        "75.00Z": "M",
        "82.99Z": "N",
        "84.11Z": "O",
        "85.59A": "P",
        "88.99B": "Q",
        "93.12Z": "R",
        "94.99Z": "S",
        "97.00Z": "T",
        "99.00Z": "U",
        "04.00Z": "?",  # division unused by NAF rév. 2
        "85.3K": "?",  # NAF rév. 1
        "8899B": "?",
    }
    got = naf_section(pd.Series([*codes, None]))
    assert got.tolist() == [*codes.values(), "?"]
    assert [s[0] for s in SECTIONS] == list("ABCDEFGHIJKLMNOPQRSTU")


def test_jobs_from_brackets_are_midpoints():
    got = bracket_jobs(pd.Series(["NN", "00", "01", "02", "03", "11", "12", "22", "53", None, "7"]))
    expected = [np.nan, 0.0, 1.5, 4.0, 7.5, 14.5, 34.5, 149.5, 10000.0, np.nan, np.nan]
    np.testing.assert_array_equal(got.to_numpy(), expected)
    # Midpoints of the INSEE brackets, e.g. 250-499 -> 374.5, 2 000-4 999 -> 3 499.5.
    table = dict(ESS_BRACKET_JOBS)
    assert (table["32"], table["51"]) == ((250 + 499) / 2, (2000 + 4999) / 2)


def test_employing_rule():
    employeur = pd.Series([True, False, None, None, None, True], dtype=object)
    tranche = pd.Series(["NN", "12", "00", "NN", None, None])
    assert is_employing(employeur, tranche).tolist() == [True, False, True, False, False, True]


# ------------------------------------------------------------------ cells


@pytest.fixture
def small() -> pd.DataFrame:
    """Three communes of département 35 (région 53, partly outside the build): a1, a2 in
    EPCI A (complete), b1 in EPCI B (partly outside the build)."""
    rows = [
        ("commune", "35001", "A", "35", "53", True, 1000.0),
        ("commune", "35002", "A", "35", "53", True, 0.0),
        ("commune", "35003", "B", "35", "53", True, 500.0),
        ("epci", "A", "A", "35", "53", True, 1000.0),
        ("epci", "B", "B", "35", "53", False, 500.0),
        ("departement", "35", None, "35", "53", True, 1500.0),
        ("region", "53", None, None, "53", False, 1500.0),
    ]
    columns = ["level", "code", "epci_code", "dep_code", "reg_code", "complete", "population"]
    return pd.DataFrame(rows, columns=columns)


def atoms_and_employing():
    atoms = pd.DataFrame(
        [
            ("35001", "association", "Q", 3.0, 20.0, 14.5),
            ("35001", "cooperative", "F", 1.0, 34.5, 34.5),
            ("35002", "association", "Q", 2.0, 3.0, 1.5),
            ("35003", "association", "?", 1.0, 0.0, 0.0),
        ],
        columns=["commune_code", "family", "section", "n", "jobs", "max_jobs"],
    )
    employing = pd.DataFrame(
        [("35001", 10.0, 100.0, 34.5), ("35002", 2.0, 3.0, 1.5), ("35003", 4.0, 10.0, 7.5)],
        columns=["commune_code", "n", "jobs", "max_jobs"],
    )
    return atoms, employing


def test_layout_orders_and_links(small):
    layout = territory_layout(small.iloc[::-1])
    assert layout.frame["code"].tolist() == ["35001", "35002", "35003", "A", "B", "35", "53"]
    # EPCI B and région 53 are partly outside the build: in no table; no France row
    # (the last column): France is in no table either.
    assert layout.hierarchy.ancestors.tolist() == [
        [3, 5, -1, -1],
        [3, 5, -1, -1],
        [-1, 5, -1, -1],
    ]
    assert layout.published.tolist() == [True, True, True, True, False, True, False]
    with pytest.raises(ValueError, match="niveau"):
        territory_layout(small.assign(level="canton"))


def test_cells_add_up_by_hand(small):
    layout = territory_layout(small)
    atoms, employing = atoms_and_employing()
    cells = ess_cells(atoms, employing, layout)
    assoc, coop = COLUMN_KEYS.index("association"), COLUMN_KEYS.index("cooperative")
    q = SECTION_COLUMNS[[s[0] for s in SECTIONS].index("Q")]
    # Département 35 = all three communes; EPCI A = 35001 + 35002; B unpublished: 0.
    assert cells.n[5, [assoc, coop, ESS_COLUMN, q, ALL_COLUMN]].tolist() == [6, 1, 7, 5, 16]
    assert cells.n[3, [assoc, ESS_COLUMN, ALL_COLUMN]].tolist() == [5, 6, 12]
    assert cells.n[4].sum() == cells.n[6].sum() == 0
    assert cells.jobs[5, ESS_COLUMN] == 20 + 34.5 + 3 + 0
    assert cells.max_jobs[5, ESS_COLUMN] == 34.5 and cells.max_jobs[3, assoc] == 14.5
    # Families and sections both add up to the ESS total in every territory.
    fam = [COLUMN_KEYS.index(f) for f, _ in FAMILIES]
    np.testing.assert_array_equal(cells.n[:, fam].sum(axis=1), cells.n[:, ESS_COLUMN])
    np.testing.assert_array_equal(cells.n[:, list(SECTION_COLUMNS)].sum(1), cells.n[:, 6])
    bad = atoms.assign(commune_code=["35001", "35001", "35002", "01001"])
    with pytest.raises(ValueError, match="01001"):
        ess_cells(bad, employing, layout)
    empty = ess_cells(atoms.iloc[:0], employing.iloc[:0], layout)
    assert not empty.n.any()


def test_indicator_values_blank_secret_and_incomplete(small):
    layout = territory_layout(small)
    atoms, employing = atoms_and_employing()
    cells = ess_cells(atoms, employing, layout)
    secret = np.zeros(cells.n.shape, bool)
    secret[0, ESS_COLUMN] = True  # commune 35001's total
    secret[2, ALL_COLUMN] = True  # commune 35003's employing establishments
    values = indicator_values(cells, secret, layout)
    assert values["indicator_id"].unique().tolist() == list(ESS_INDICATOR_IDS)
    by = values.set_index(["indicator_id", "code"])
    total, share = by.loc["ess_establishments"], by.loc["ess_share_establishments"]
    assert total.loc["35001"].isna()[["value", "numerator"]].all() and total.loc["35001", "secret"]
    assert total.loc["35002", "value"] == 2 and total.loc["35", "value"] == 7
    # An incomplete territory is not computed and not secret.
    assert np.isnan(total.loc["B", "value"]) and not total.loc["B", "secret"]
    # Shares: blank when the ESS total or the employing total is secret.
    assert share.loc["35002", "value"] == 100.0 and share.loc["35", "value"] == 100 * 7 / 16
    assert share.loc["35003", "secret"] and np.isnan(share.loc["35003", "denominator"])
    per = by.loc["ess_establishments_per_10k"]
    assert per.loc["35", "value"] == pytest.approx(10_000 * 7 / 1500)
    assert np.isnan(per.loc["35002", "value"])  # no inhabitants: not computable
    jobs = by.loc["ess_share_jobs_estimate"]
    assert jobs.loc["A", "value"] == pytest.approx(100 * (20 + 34.5 + 3) / 103)
    assert not values["value"].isin([np.inf, -np.inf]).any()
    sectors = sector_rows(cells, secret, layout)
    assert len(sectors) == len(layout.frame) * len(SECTION_COLUMNS)
    q = sectors[(sectors["code"] == "35") & (sectors["naf_section"] == "Q")]
    assert q[["establishments", "jobs_estimate"]].values.tolist() == [[5.0, 23.0]]
    unknown = sectors[(sectors["code"] == "35003") & (sectors["naf_section"] == "?")]
    assert unknown["establishments"].tolist() == [1.0]


def test_registry_cites_sources_and_says_estimation():
    sources = EssSources(
        establishments=("sirene_etablissements", "sirene_unites_legales", "ess_france_list"),
        population=("cog_communes",),
        vintages={"sirene_etablissements": "2025-10", "cog_communes": "COG 2026"},
    )
    registry = ess_registry(sources)
    assert [i.id for i in registry] == list(ESS_INDICATOR_IDS)
    assert len(set(ESS_INDICATOR_IDS)) == len(ESS_INDICATOR_IDS)
    assert {i.theme for i in registry} == {"ess"}
    for indicator in registry:
        assert "Secret statistique" in indicator.definition
        if "jobs" in indicator.id:
            assert "estimation" in indicator.label and "ESTIMATION" in indicator.definition
        assert indicator.sources.startswith("sirene_etablissements, sirene_unites_legales")
        assert "sirene_etablissements : 2025-10" in indicator.vintage
        assert "sirene_unites_legales : millésime non renseigné" in indicator.vintage
    per = next(i for i in registry if i.id == "ess_establishments_per_10k")
    assert per.sources.endswith("cog_communes") and per.unit == "pour 10 000 hab."
    assert "ESS France" in registry[0].definition
