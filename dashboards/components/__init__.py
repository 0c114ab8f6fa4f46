"""Pure builders of Dash components (legend, table twin, portrait, exports...)."""
