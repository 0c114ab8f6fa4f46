"""The single travel-time interface dispatches, validates and keeps one output shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo._validate import OUTPUT_COLUMNS, TravelTimeInputError
from geo.crs import NonMetricCRSError
from geo.engine import travel_times
from geo.network import load_graphml, network_nearest
from geo.straight_line import nearest_facilities


@pytest.fixture(scope="module")
def maisons_laffitte(mirror_dir: Path):
    return load_graphml(mirror_dir / "osm_network_yvelines" / "maisons_laffitte.gml")


@pytest.fixture
def points(maisons_laffitte) -> tuple[pd.DataFrame, pd.DataFrame]:
    graph = maisons_laffitte
    rng = np.random.default_rng(5)
    x0, x1, y0, y1 = graph.x.min(), graph.x.max(), graph.y.min(), graph.y.max()
    origins = pd.DataFrame(
        {
            "origin_id": np.arange(200),
            "x": rng.uniform(x0, x1, 200),
            "y": rng.uniform(y0, y1, 200),
            "epsg": 2154,
            "density_level": rng.integers(1, 8, 200),
        }
    )
    facilities = pd.DataFrame(
        {
            "facility_id": [f"f{i}" for i in range(12)],
            "service_type": ["bakery", "pharmacy", "school"] * 4,
            "x": rng.uniform(x0, x1, 12),
            "y": rng.uniform(y0, y1, 12),
            "epsg": 2154,
        }
    )
    return origins, facilities


def test_both_methods_give_the_same_table_shape(maisons_laffitte, points) -> None:
    origins, facilities = points
    line = travel_times(origins, facilities, "straight_line", k=2)
    net = travel_times(origins, facilities, "network", k=2, graph=maisons_laffitte)
    assert list(line.columns) == list(net.columns) == list(OUTPUT_COLUMNS)
    assert line.dtypes.equals(net.dtypes)
    assert len(line) == len(net) == 200 * 3 * 3 * 2  # one connected town: every row exists
    # A network route is never shorter than the straight line between the same points.
    merged = line.merge(net, on=["origin_id", "service_type", "mode", "facility_id"])
    straight = merged["distance_m_x"] / merged["mode"].map(
        {"walk": 1.4, "bike": 1.3, "car": 1.3}
    ).astype(float)
    assert (merged["distance_m_y"] >= straight * (1 - 1e-3)).all()  # projection scale error


def test_dispatch_is_transparent(maisons_laffitte, points) -> None:
    origins, facilities = points
    pd.testing.assert_frame_equal(
        travel_times(origins, facilities, "straight_line", modes=("walk",)),
        nearest_facilities(origins, facilities, modes=("walk",)),
    )
    pd.testing.assert_frame_equal(
        travel_times(origins, facilities, "network", modes=("car",), graph=maisons_laffitte),
        network_nearest(maisons_laffitte, origins, facilities, modes=("car",)),
    )


def test_network_without_graph_or_line_with_graph_is_refused(maisons_laffitte, points) -> None:
    origins, facilities = points
    with pytest.raises(TravelTimeInputError, match="needs graph"):
        travel_times(origins, facilities, "network")
    with pytest.raises(TravelTimeInputError, match="only used"):
        travel_times(origins, facilities, "straight_line", graph=maisons_laffitte)
    with pytest.raises(TravelTimeInputError, match="method must be"):
        travel_times(origins, facilities, "isochrone")  # type: ignore[arg-type]


def test_inputs_are_validated_before_dispatch(points) -> None:
    origins, facilities = points
    with pytest.raises(TravelTimeInputError, match="facility_id"):
        travel_times(origins, facilities.drop(columns="facility_id"), "network")
    with pytest.raises(NonMetricCRSError, match="EPSG:4326"):
        travel_times(origins.assign(epsg=4326), facilities, "straight_line")
