"""One naming function: every id is built from structured fields, stored, never parsed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from indicators.registry import KINDS, STRUCTURED_FIELDS, indicator_id
from warehouse.build import BuildReport

IDS_DEP35 = Path(__file__).resolve().parents[1] / "fixtures" / "indicator_ids_dep35.txt"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (("access", "share_within", "c101", "walk", 15.0), "share_within_15min__c101__walk"),
        (("access", "share_within", "c101", "walk", 7.5), "share_within_7p5min__c101__walk"),
        (("access", "median", "a206", "car"), "median_minutes__a206__car"),
        (("access", "mean", "a206", "bike"), "mean_minutes__a206__bike"),
        (("access", "score", None, "walk", 10.0), "score_10min__walk"),
        (
            ("access", "score", None, "car", 15.0, "proximite"),
            "score_15min__gamme_proximite__car",
        ),
        (
            ("access", "population_beyond", "france_services", "car", 30.0),
            "population_beyond_30min__france_services__car",
        ),
        (
            ("mobility", "share_beyond", "train_station", "car", 15.0, "all"),
            "share_beyond_15min__train_station__car",
        ),
        (
            ("mobility", "share_beyond", "train_station", "car", 15.0, "rural"),
            "share_beyond_15min__train_station__car__density_rural",
        ),
        (("access", "fca", "c101", "car"), "fca__c101__car"),
        (
            ("commitments", "commitment", None, "car", 20.0, "laposte_route"),
            "laposte_presence__share_beyond_5km_20min__car",
        ),
        (
            ("commitments", "commitment", None, "car", 20.0, "laposte_crow"),
            "laposte_presence__share_beyond_5km_crow_20min__car",
        ),
        (
            ("commitments", "commitment", None, "car", 30.0, "france_services"),
            "france_services_promise__share_beyond_30min__car",
        ),
        (
            ("ess", "ess_jobs_estimate", None, None, None, "association"),
            "ess_jobs_estimate__association",
        ),
        (("ess", "ess_share_establishments"), "ess_share_establishments"),
    ],
)
def test_indicator_id_from_fields(fields: tuple, expected: str) -> None:
    assert indicator_id(*fields) == expected


def test_fracture_ids_name_their_base() -> None:
    base = indicator_id("access", "score", None, "walk", 15.0)
    assert indicator_id("fracture", "gini", base_indicator_id=base) == "gini__score_15min__walk"
    assert indicator_id("fracture", "share_double_peine", base_indicator_id=base) == (
        "share_double_peine__score_15min__walk"
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("nope", "score", None, "walk", 15.0), {}, "unknown theme or kind"),
        (("access", "nope", None, "walk", 15.0), {}, "unknown theme or kind"),
        (("access", "score", None, None, 15.0), {}, "needs a mode"),
        (("access", "score", None, "walk"), {}, "needs a threshold"),
        (("access", "share_within", None, "walk", 15.0), {}, "needs a service type slug"),
        (("commitments", "commitment", None, "car", 20.0, "other"), {}, "commitment variant"),
        (("fracture", "gini"), {}, "needs its base indicator id"),
    ],
)
def test_indicator_id_refuses_incomplete_fields(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        indicator_id(*args, **kwargs)


def _stored(db: Path) -> list[dict[str, object]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = con.execute(
            "SELECT i.*, s.slug FROM indicators i LEFT JOIN service_types s "
            "ON s.code = i.service_type ORDER BY i.id"
        ).df()
    finally:
        con.close()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_dep35_ids_are_unchanged(dep35_built: BuildReport) -> None:
    """Exports and permalinks depend on the ids: the full list of the dep:35 build."""
    ids = [str(r["id"]) for r in _stored(Path(dep35_built.db_path))]
    assert ids == IDS_DEP35.read_text(encoding="utf-8").split()


def test_stored_fields_rebuild_every_id(dep35_built: BuildReport) -> None:
    """Every stored row says what the indicator is: its fields give back its id."""
    rows = _stored(Path(dep35_built.db_path))
    assert rows and set(STRUCTURED_FIELDS) <= set(rows[0])
    for r in rows:
        assert r["kind"] in KINDS, r["id"]
        fracture = r["kind"] in ("gini", "fifth_gap", "share_double_peine")
        rebuilt = indicator_id(
            str(r["theme"]),
            str(r["kind"]),
            None if fracture else r["slug"],  # type: ignore[arg-type]
            None if fracture else r["mode"],  # type: ignore[arg-type]
            None if fracture else r["threshold_min"],  # type: ignore[arg-type]
            str(r["scope"] or ""),
            base_indicator_id=r["base_indicator_id"],  # type: ignore[arg-type]
        )
        assert rebuilt == r["id"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["laposte_presence__share_beyond_5km_20min__car"]["binding_level"] == "departement"
    assert by_id["france_services_promise__share_beyond_30min__car"]["binding_level"] is None
    rural = by_id["share_beyond_15min__train_station__car__density_rural"]
    assert rural["density_class"] == "rural" and rural["scope"] == "rural"
    assert by_id["share_beyond_15min__train_station__car"]["density_class"] is None
    gini = by_id["gini__score_15min__walk"]
    assert gini["kind"] == "gini" and gini["base_indicator_id"] == "score_15min__walk"
