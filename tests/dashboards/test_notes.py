"""Why a value is blank, commitments met or not, one point per commune: the texts
(``dashboards.notes``) and the pure builders that carry them (map model, legend,
table twin), on small hand-made cases."""

from __future__ import annotations

import json
import re

import pytest

from dashboards import ids, notes
from dashboards.components import legend, table
from dashboards.figures import choropleth
from dashboards.queries import Indicator, Territory, Value
from indicators.step_context import NOTE_INCOMPLETE, NOTES, REASON_OUT, REASON_PARTIAL, REASON_ZONE

NBSP = "\u00a0"
PARTIAL = NOTES[REASON_PARTIAL].format(sources="education_annuaire (mesuree)")
ZONE = NOTES[REASON_ZONE]
SHARE = Indicator("share", "access", "Part à 15 min", "%", "", "", "", "", True, 1)
LAPOSTE = Indicator(
    "laposte_presence__share_beyond_5km_20min__car",
    "commitments",
    "Présence postale",
    "%",
    "",
    "",
    "",
    "",
    False,
    1,
    mode="car",
    threshold_min=20.0,
    target_max=10.0,
    kind="commitment",
    scope="laposte_route",
    binding_level="departement",
)
PROMISE = Indicator(
    "france_services_promise__share_beyond_30min__car",
    "commitments",
    "Promesse France Services",
    "%",
    "",
    "",
    "",
    "",
    False,
    2,
    mode="car",
    threshold_min=30.0,
    target_max=0.0,
    kind="commitment",
    scope="france_services",
)


def _places(n: int) -> list[Territory]:
    return [
        Territory("commune", f"3500{i}", f"Commune {i}", "35", "53", None, 100.0, True)
        for i in range(n)
    ]


def test_notes_of_the_indicator_step_get_short_tags() -> None:
    assert notes.note_tag(PARTIAL) == "source partielle"
    assert notes.note_tag(ZONE) == "équipement possiblement hors de la zone chargée"
    assert notes.note_tag(NOTE_INCOMPLETE) == "territoire partiellement construit"
    out = NOTES[REASON_OUT].format(sources="sncf_gares")
    assert notes.note_tag(out) == "source absente sur ce territoire"
    # an unknown note: its first clause after the colon, never empty
    assert notes.note_tag("Non disponible : aucun équipement accessible sur l'île.") == (
        "aucun équipement accessible sur l'île"
    )
    long = "Non disponible : " + "très " * 30 + "loin."
    assert len(notes.note_tag(long)) <= 61 and notes.note_tag(long).endswith("…")
    assert notes.missing_text(PARTIAL) == "non disponible : source partielle"
    assert notes.missing_text(None) == "non disponible"


def test_legend_line_names_the_main_reasons_with_their_counts() -> None:
    assert notes.reasons_line([None, None]) == ""
    assert notes.reasons_line([PARTIAL] * 12) == "raison : source partielle"
    mixed = [PARTIAL] * 5 + [NOTE_INCOMPLETE] * 2 + [None]
    assert notes.reasons_line(mixed) == (
        "raisons : source partielle (5), territoire partiellement construit (2), "
        "raison non indiquée (1)"
    )
    many = [PARTIAL] * 4 + [ZONE] * 3 + [NOTE_INCOMPLETE] * 2 + ["Non disponible : autre."]
    line = notes.reasons_line(many)
    assert line.startswith("raisons : source partielle (4), équipement possiblement")
    assert line.endswith("territoire partiellement construit (2), autres raisons (1)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (6.8, f"Engagement tenu (marge : 3,2{NBSP}points)"),
        (14.1, f"Engagement non tenu (dépassement : 4,1{NBSP}points)"),
        (8.5, f"Engagement tenu (marge : 1,5{NBSP}point)"),  # French singular below 2
        (10.0, f"Engagement tenu (marge : 0,0{NBSP}point)"),  # at the target: met
        (10.04, f"Engagement tenu (marge : 0,0{NBSP}point)"),  # published as 10,0 %
        (10.06, f"Engagement non tenu (dépassement : 0,1{NBSP}point)"),
        (0.0, f"Engagement tenu (marge : 10,0{NBSP}points)"),
        (None, ""),
    ],
)
def test_commitment_status_says_met_and_the_margin(value: float | None, expected: str) -> None:
    assert notes.commitment_status(value, LAPOSTE) == expected


def test_a_zero_target_is_met_by_nobody_beyond() -> None:
    assert notes.commitment_status(0.0, PROMISE) == "Engagement tenu (personne au-delà)"
    assert notes.commitment_status(2.5, PROMISE) == (
        f"Engagement non tenu (dépassement : 2,50{NBSP}points)"
    )
    assert notes.commitment_status(5.0, SHARE) == ""  # not a commitment
    with pytest.raises(ValueError, match="pas un engagement"):
        notes.commitment_met(5.0, SHARE)
    assert notes.commitment_goal(PROMISE) == f"0{NBSP}% (personne au-delà)"
    assert notes.commitment_goal(LAPOSTE) == f"au plus 10{NBSP}%"


def test_commitment_legend_says_the_rule_and_who_meets_it() -> None:
    text = notes.commitment_legend(LAPOSTE, [0.0, 12.0, None, 9.9], "commune")
    assert text.startswith(
        f"Engagement tenu quand la part est d'au plus 10{NBSP}% : tenu par 2, non tenu par 1."
    )
    assert "La règle s'apprécie au niveau du département" in text
    at_dep = notes.commitment_legend(LAPOSTE, [3.0], "departement")
    assert at_dep.endswith("tenu par 1, non tenu par 0.")  # the binding level: no caveat
    assert "personne au-delà" in notes.commitment_legend(PROMISE, [0.0], "epci")
    assert notes.commitment_legend(SHARE, [1.0], "commune") == ""


def test_one_point_is_said_only_for_commune_values_from_points() -> None:
    assert notes.one_point(SHARE, "commune", "mairie")
    assert notes.one_point(LAPOSTE, "commune", "mairie")
    assert not notes.one_point(SHARE, "epci", "mairie")
    assert not notes.one_point(SHARE, "commune", "carreau_200m")
    assert not notes.one_point(SHARE, "commune", "")  # older warehouse: nothing
    ess = Indicator("ess_establishments", "ess", "ESS", "étab.", "", "", "", "", True, 0)
    assert not notes.one_point(ess, "commune", "mairie")
    base = Indicator("density", "base", "Densité", "hab./km²", "", "", "", "", None, 1)
    assert not notes.one_point(base, "commune", "mairie")
    assert notes.one_point_note(SHARE) == (
        "Valeurs communales calculées sur un seul point par commune (la mairie) : une "
        f"commune est à 0{NBSP}% ou à 100{NBSP}%."
    )
    minutes = Indicator("median", "access", "Temps", "min", "", "", "", "", False, 1)
    assert notes.one_point_note(minutes).endswith("ont la valeur de sa mairie.")


def test_map_model_sends_each_reason_once_and_an_index_per_feature() -> None:
    values = [
        Value("35000", 10.0, False, 1, 10),
        Value("35001", None, False, None, None, PARTIAL),
        Value("35002", None, True, None, None),
        Value("35003", None, False, None, None, ZONE),
        Value("35004", None, False, None, None, PARTIAL),
        Value("35005", None, False, None, None),
    ]
    m = choropleth.build(
        "commune", _places(6), values, SHARE, method="quantiles", k=5, palette="viridis"
    )
    h = m.hideout
    assert h["notes"] == [PARTIAL, ZONE] and m.notes == (PARTIAL, ZONE)
    assert h["why"] == [0, 1, 0, 2, 1, 0]
    assert h["cls"][1] == choropleth.MISSING and h["val"][1] is None  # never a class, never 0
    assert "target" not in h and "onePoint" not in h
    missing = next(e for e in m.legend if e.label == "non disponible")
    assert missing.count == 4
    assert missing.detail == (
        "raisons : source partielle (2), équipement possiblement hors de la zone chargée (1), "
        "raison non indiquée (1)"
    )
    assert "4 sans valeur (non disponible, raisons : source partielle (2)" in m.summary


def test_map_model_without_notes_sends_nothing_more() -> None:
    values = [Value("35000", 1.0, False, None, None), Value("35001", None, False, None, None)]
    m = choropleth.build(
        "commune", _places(2), values, SHARE, method="quantiles", k=3, palette="viridis"
    )
    assert not {"notes", "why", "target", "onePoint"} & set(m.hideout)
    assert m.legend[-1].detail == "" and m.notes == ()


def test_map_model_of_a_commitment_marks_who_misses_it() -> None:
    values = [
        Value("35000", 2.0, False, None, None),
        Value("35001", 14.1, False, None, None),
        Value("35002", 10.0, False, None, None),
    ]
    m = choropleth.build(
        "commune",
        _places(3),
        values,
        LAPOSTE,
        method="quantiles",
        k=3,
        palette="viridis",
        one_point=True,
    )
    assert m.hideout["target"] == 10.0
    assert m.hideout["onePoint"] == "Calculé sur un seul point (la mairie)"
    unmet = m.legend[-1]
    assert (unmet.label, unmet.count, unmet.swatch_class) == (
        choropleth.UNMET_TEXT,
        1,
        choropleth.UNMET_SWATCH,
    )
    assert m.summary.endswith("; aucune valeur manquante ; engagement tenu par 2 sur 3.")


def test_legend_component_carries_reasons_commitment_and_one_point() -> None:
    entries = (
        choropleth.LegendEntry("0,0 %", 3, colour="#440154"),
        choropleth.LegendEntry("non disponible", 2, swatch_class="swatch-missing", detail="x"),
    )
    div = legend.legend("Titre", entries, "note", commitment="engagement", one_point="un point")
    text = str(div)
    assert "legend-detail" in text and "children='x'" in text
    by_id = {getattr(c, "id", None): c.children for c in div.children}
    assert by_id[ids.COMMITMENT_NOTE] == "engagement"
    assert by_id[ids.ONE_POINT_NOTE] == "un point"
    plain = legend.legend("Titre", entries)
    assert ids.ONE_POINT_NOTE not in str(plain) and ids.COMMITMENT_NOTE not in str(plain)


def test_table_twin_rows_point_to_their_note() -> None:
    tricky = 'Non disponible : une « note » avec "guillemets" et l\'apostrophe.'
    values = [
        Value("35000", 1.0, False, None, None),
        Value("35001", None, False, None, None, PARTIAL),
        Value("35002", None, False, None, None, tricky),
    ]
    model = choropleth.build(
        "commune", _places(3), values, SHARE, method="quantiles", k=3, palette="viridis"
    )
    # each row points to its note by position; the long text travels once
    assert model.hideout["why"] == [0, 1, 2]
    assert model.hideout["notes"] == [PARTIAL, tricky]
    status = next(
        c
        for c in table.column_defs(LAPOSTE, "Commune", (PARTIAL, tricky))
        if c["field"] == "status"
    )
    getter = status["valueGetter"]["function"]
    args = re.fullmatch(r"frStatus\(params, (.*)\)", getter).group(1)
    assert json.loads(f"[{args}]") == [[PARTIAL, tricky], 10.0, "%", 1]  # JSON literals only
    plain = next(c for c in table.column_defs(SHARE, "Commune") if c["field"] == "status")
    assert plain["valueGetter"]["function"] == 'frStatus(params, [], null, "%", 1)'
