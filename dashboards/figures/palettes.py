"""Colour-blind-safe sequential palettes (viridis, cividis) and the colours of
values that are not drawn as classes (missing, secret)."""

from __future__ import annotations

from plotly.colors import sample_colorscale

PALETTE_SCALES = {"viridis": "Viridis", "cividis": "Cividis"}
# Missing and secret values are hatched on the map by SVG patterns that
# assets/territoires_map.js creates; the legend shows the same with CSS classes.
MISSING_SWATCH = "swatch-missing"
CONFIDENTIAL_SWATCH = "swatch-secret"


def class_colours(palette: str, k: int) -> list[str]:
    """``k`` colours from dark to light, as ``#rrggbb``."""
    scale = PALETTE_SCALES.get(palette, "Viridis")
    if k <= 0:
        return []
    points = [0.5] if k == 1 else [i / (k - 1) for i in range(k)]
    return [_hex(c) for c in sample_colorscale(scale, points)]


def _hex(rgb: str) -> str:
    parts = rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")
    r, g, b = (round(float(p)) for p in parts)
    return f"#{r:02x}{g:02x}{b:02x}"
