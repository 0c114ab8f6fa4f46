"""Territory search on a hand-made index (no warehouse): the traps of the COG."""

from __future__ import annotations

from dashboards.queries import SearchEntry, Territory
from dashboards.search import build_index, find, level_entries, normalise

ENTRIES = [
    SearchEntry("35236", "Redon", "nom", "35", "Redon"),
    SearchEntry("35013", "Bains-sur-Oust", "nom", "35", "Bains-sur-Oust"),
    SearchEntry("35294", "Sainte-Marie", "nom", "35", "Sainte-Marie"),
    SearchEntry("35288", "Saint-Malo", "nom", "35", "Saint-Malo"),
    SearchEntry("35288", "Paramé", "commune associée", "35", "Saint-Malo"),
    SearchEntry("44198", "Sainte-Marie", "commune déléguée", "44", "Pornic"),
    SearchEntry("2A004", "Ajaccio", "nom", "2A", "Ajaccio"),
]
POSTAL = {"35600": ("35013", "35236", "35294")}
LARGER = [
    *level_entries(
        "epci",
        [Territory("epci", "243500741", "CA Redon Agglomération", "35", "53", None, 6.6e4, True)],
    ),
    *level_entries(
        "departement",
        [Territory("departement", "35", "Ille-et-Vilaine", "35", "53", None, 1.1e6, True)],
    ),
    *level_entries(
        "region", [Territory("region", "53", "Bretagne", None, "53", None, 3.4e6, True)]
    ),
]


def _find(text: str) -> list[tuple[str, str]]:
    hits = find(text, build_index(ENTRIES + LARGER), lambda pc: POSTAL.get(pc, ()))
    return [(h.code, h.label) for h in hits]


def test_epci_departements_and_regions_are_found_by_name_and_code() -> None:
    assert _find("redon") == [
        ("35236", "Redon (35)"),
        ("epci:243500741", "CA Redon Agglomération (EPCI)"),
    ]
    assert _find("ille-et-vilaine") == [("departement:35", "Ille-et-Vilaine (département 35)")]
    assert _find("35") == [("departement:35", "Ille-et-Vilaine (département 35)")]
    assert _find("53") == [("region:53", "Bretagne (région)")]
    assert _find("243500741") == [("epci:243500741", "CA Redon Agglomération (EPCI)")]


def test_typos_find_the_closest_names_and_say_so() -> None:
    hits = find("Redn", build_index(ENTRIES + LARGER), lambda pc: ())
    assert [(h.code, h.why) for h in hits] == [("35236", "nom approché")]
    assert _find("Bretange") == [("region:53", "Bretagne (région)")]
    assert _find("Sant Malo") == [("35288", "Saint-Malo (35)")]
    assert _find("qwerty") == []  # nothing close: no hit rather than a wild guess


def test_normalise_drops_accents_case_and_saint() -> None:
    assert normalise("Saint-Malo") == normalise("ST MALO") == "st malo"
    assert normalise("Paramé") == "parame"
    assert normalise("  l'Hermitage ") == "l hermitage"


def test_name_without_accents_and_case() -> None:
    assert _find("REDÖN")[0] == ("35236", "Redon (35)")
    assert _find("PARAME") == [("35288", "Paramé → Saint-Malo (35)")]


def test_postal_code_returns_every_commune_with_department() -> None:
    assert _find("35600") == [
        ("35013", "Bains-sur-Oust (35)"),
        ("35236", "Redon (35)"),
        ("35294", "Sainte-Marie (35)"),
    ]


def test_insee_code_including_corsica() -> None:
    assert _find("35236") == [("35236", "Redon (35)")]
    assert _find("2a004") == [("2A004", "Ajaccio (2A)")]


def test_shared_names_are_told_apart_and_current_names_first() -> None:
    hits = _find("sainte marie")
    assert hits == [("35294", "Sainte-Marie (35)"), ("44198", "Sainte-Marie → Pornic (44)")]


def test_nothing_for_empty_or_unknown() -> None:
    assert _find("") == []
    assert _find("zzz") == []
    assert _find("'; DROP TABLE territories; --") == []
