"""Territoires dashboard: Dash + dash-leaflet, French UI, read-only warehouse.

Entry points: :func:`dashboards.app.create_app`, :func:`dashboards.serve.serve`,
and the WSGI callable ``dashboards.wsgi:server`` (``TERRITOIRES_DB``). See
``dashboards/README.md``.
"""
