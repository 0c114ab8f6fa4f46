"""WSGI entry for gunicorn: ``gunicorn dashboards.wsgi:server``.

The warehouse path comes from the ``TERRITOIRES_DB`` environment variable; the app
is built in production mode (debug off, as always).
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboards.app import create_app
from dashboards.serve import DB_ENV


def _db_path() -> Path:
    value = os.environ.get(DB_ENV, "").strip()
    if not value:
        raise RuntimeError(
            f"variable d'environnement {DB_ENV} absente : chemin de l'entrepôt DuckDB "
            "(ex. TERRITOIRES_DB=data/territoires.duckdb gunicorn dashboards.wsgi:server)"
        )
    return Path(value)


app = create_app(_db_path(), production=True)
server = app.server
