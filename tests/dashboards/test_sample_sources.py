"""Données & méthodes of a warehouse built from the embedded real sample."""

from __future__ import annotations

from pathlib import Path

from dashboards import queries, router
from dashboards.components import sources
from etl.make_sample import LABEL
from tests.warehouse.test_sample_build import MANIFEST
from warehouse.build import BuildReport


def test_donnees_page_labels_the_embedded_sample(dep35_sample: BuildReport) -> None:
    wh = queries.open_warehouse(Path(dep35_sample.db_path))
    sampled = [m for m in queries.meta(wh) if m["sample"]]
    # every source the manifest holds a sample file of
    expected = len({f["source"] for f in MANIFEST["files"] if f["file"]})
    assert len(sampled) == expected and all(m["status"] == "chargée" for m in sampled)
    page, _, _ = router.render(wh, "/donnees", "")
    text = str(page)
    assert f"{expected} source(s) chargée(s) depuis l'{LABEL}" in text
    assert f"{LABEL} : etl/sample/liste-fs-20240801.csv.gz" in text
    assert "millésime d'origine 2024-08-01" in text
    for path in (str(Path(dep35_sample.db_path).parent), "/tmp/", "/work/", "/home/"):
        assert path not in text, path


def test_no_sample_notice_without_sample_rows() -> None:
    meta = [
        {
            "dataset": "france_services",
            "title": "Liste",
            "vintage": "2024-08-01",
            "rows": 10,
            "origin": "miroir: /srv/x/liste-fs-20240801.csv",
            "url": "",
            "licence": "Licence Ouverte 2.0",
            "status": "chargée",
            "sample": False,
        }
    ]
    assert "échantillon" not in str(sources.loaded_sources(meta))
    meta[0] |= {"sample": True, "origin": f"{LABEL} : etl/sample/liste-fs-20240801.csv.gz"}
    text = str(sources.loaded_sources(meta))
    assert f"1 source(s) chargée(s) depuis l'{LABEL}" in text and "(france_services)" in text
