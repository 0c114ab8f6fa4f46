"""Metric CRS check and transforms."""

from __future__ import annotations

import numpy as np
import pytest

from etl.vocabulary import FRENCH_METRIC_EPSG
from geo.crs import NonMetricCRSError, check_metric_crs, to_metric, to_wgs84


@pytest.mark.parametrize("epsg", sorted(FRENCH_METRIC_EPSG))
def test_french_metric_crs_pass(epsg: int) -> None:
    assert check_metric_crs(epsg) == epsg


@pytest.mark.parametrize(
    ("epsg", "message"),
    [
        (4326, "not projected"),
        (4171, "not projected"),  # RGF93 geographic
        (3857, "Mercator"),
        (2263, "not metres"),  # NAD83 / New York Long Island, US feet
        (99999, "unknown"),
        ("L93", "integer"),
    ],
)
def test_geographic_distorted_or_unknown_crs_fail(epsg: object, message: str) -> None:
    with pytest.raises(NonMetricCRSError, match=message):
        check_metric_crs(epsg)  # type: ignore[arg-type]


def test_lambert93_origin_is_exact() -> None:
    # Lambert-93 projection origin: 3°E, 46.5°N -> (700 000, 6 600 000) m.
    x, y = to_metric([3.0], [46.5], 2154)
    assert x[0] == pytest.approx(700_000.0, abs=1e-3)
    assert y[0] == pytest.approx(6_600_000.0, abs=1e-3)


def test_round_trip_is_vectorised_and_lossless() -> None:
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-4.5, 8.0, 1000), rng.uniform(42.5, 51.0, 1000)
    x, y = to_metric(lon, lat, 2154)
    assert x.shape == (1000,)
    lon2, lat2 = to_wgs84(x, y, 2154)
    np.testing.assert_allclose(lon2, lon, atol=1e-9)
    np.testing.assert_allclose(lat2, lat, atol=1e-9)


def test_to_metric_refuses_a_geographic_target() -> None:
    with pytest.raises(NonMetricCRSError, match=r"^EPSG:4326 \(WGS 84\) is not projected"):
        to_metric([2.0], [48.0], 4326)


def test_empty_arrays_pass_through() -> None:
    x, y = to_metric([], [], 2975)
    assert x.shape == y.shape == (0,)
