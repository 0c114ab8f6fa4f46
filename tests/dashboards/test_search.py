"""Territory search on a hand-made index (no warehouse): the traps of the COG."""

from __future__ import annotations

from dashboards.queries import SearchEntry
from dashboards.search import build_index, find, normalise

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


def _find(text: str) -> list[tuple[str, str]]:
    hits = find(text, build_index(ENTRIES), lambda pc: POSTAL.get(pc, ()))
    return [(h.code, h.label) for h in hits]


def test_normalise_drops_accents_case_and_saint() -> None:
    assert normalise("Saint-Malo") == normalise("ST MALO") == "st malo"
    assert normalise("Paramé") == "parame"
    assert normalise("  l'Hermitage ") == "l hermitage"


def test_name_without_accents_and_case() -> None:
    assert _find("redon") == [("35236", "Redon (35)")]
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
