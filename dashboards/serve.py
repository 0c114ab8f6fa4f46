"""Servers: the development server (127.0.0.1, debug off) and gunicorn.

``serve(db, port, production=False)`` runs Flask's threaded development server on
127.0.0.1. ``serve(db, port, production=True)`` runs gunicorn on the WSGI entry
``dashboards.wsgi:server`` (the database path goes through ``TERRITOIRES_DB``).
The Werkzeug debugger is never enabled: it executes arbitrary code.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from dashboards.queries import open_warehouse

DB_ENV = "TERRITOIRES_DB"
DEFAULT_HOST = "127.0.0.1"


def serve(
    db_path: Path | str,
    port: int = 8050,
    production: bool = False,
    *,
    host: str = DEFAULT_HOST,
    workers: int | None = None,
) -> None:
    """Serve the dashboard of a finished warehouse until interrupted.

    Raises ``warehouse.gate.WarehouseError`` (French message) if the file is missing.
    """
    path = Path(open_warehouse(db_path).path)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if production:
        _gunicorn(path, host, port, workers or min(4, (os.cpu_count() or 1) + 1))
        return
    from dashboards.app import create_app

    app = create_app(path, production=False)
    print(f"Territoires : http://{host}:{port}/ (Ctrl+C pour arrêter)")
    app.run(host=host, port=port, debug=False, dev_tools_hot_reload=False)


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """gthread workers: DuckDB releases the GIL, threads share the worker's cache."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "preload_app": False,
        "accesslog": "-",
    }


def _gunicorn(path: Path, host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    os.environ[DB_ENV] = str(path)
    options = gunicorn_options(host, port, workers)

    class _App(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from dashboards.wsgi import server

            return server

    _App().run()
