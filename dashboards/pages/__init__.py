"""One module per page; each exposes ``layout(wh, state)`` and ``register(app, wh_of)``."""
