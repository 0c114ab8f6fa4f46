"""``territoires``: the command line of Territoires.

Subcommands (their names are a contract)::

    territoires fetch   [--mirror DIR] [--cache DIR] [--offline] [--source NAME ...]
    territoires build   --territory T [--mirror DIR] [--db PATH] [--cache DIR] [--offline]
                        [--travel-method straight_line|network --road-graph FILE] [--threshold 15]
                        [--population-grid FILE]
    territoires sources [--db PATH]
    territoires indicators [--db PATH]
    territoires serve   [--db PATH] [--port 8050] [--host 127.0.0.1] [--production]
    territoires export  --level L [--territory T] [--theme all] --format F --out FILE
                        [--db PATH] [--decimal-comma]
    territoires plan    --territory T --service S [--mode car] [--threshold 20] [--new 3]
                        [--candidates FILE] [--objective coverage|time] [--from-scratch]
                        [--critical] [--time-limit 60] [--road-graph FILE]
                        [--format csv|xlsx|gpkg --out FILE] [--db PATH]

This module sits above the layers (etl, warehouse, geo, indicators, dashboards):
it only parses arguments, builds the one frozen :class:`~etl.settings.Settings`
and calls them.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from etl.settings import DEFAULT_CACHE, DEFAULT_DB, Settings, TerritoryError, parse_territory

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _add_common(p: argparse.ArgumentParser, *, db: bool = True) -> None:
    p.add_argument(
        "--mirror",
        type=Path,
        help="dossier local de fichiers officiels (recherche récursive par nom)",
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"cache des téléchargements (défaut {DEFAULT_CACHE})",
    )
    p.add_argument("--offline", action="store_true", help="ne jamais utiliser le réseau")
    p.add_argument("--quiet", action="store_true", help="pas de barres de progression")
    if db:
        p.add_argument(
            "--db", type=Path, default=DEFAULT_DB, help=f"entrepôt DuckDB (défaut {DEFAULT_DB})"
        )


def _bounded(
    what: str, low: float, high: float, *, low_open: bool = False
) -> Callable[[str], float]:
    """An argparse ``type`` reading a finite number in [low, high] (]low, high] when
    ``low_open``): ``nan``, ``inf`` and out-of-range values are usage errors."""

    def read(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        inside = (low < value if low_open else low <= value) and value <= high
        if not (math.isfinite(value) and inside):
            bracket = "]" if low_open else "["
            raise argparse.ArgumentTypeError(
                f"{what} invalide : {text!r} (nombre de {bracket}{low:g} à {high:g}])"
            )
        return value

    return read


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port invalide : {text!r} (entier de 1 à 65535)")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="territoires",
        description="Territoires: accès aux services à 15 minutes, tiers-lieux, mobilité, ESS.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("fetch", help="rapatrier les fichiers bruts du catalogue dans le cache")
    _add_common(p, db=False)
    p.add_argument(
        "--source", action="append", default=[], help="limiter à cette source (répétable)"
    )

    p = sub.add_parser("build", help="construire l'entrepôt pour un territoire")
    _add_common(p)
    p.add_argument("--territory", required=True, help="fr, dep:35, reg:53 ou epci:<siren>")
    p.add_argument(
        "--buffer-km",
        type=_bounded("distance", 0.0, 200.0),
        default=40.0,
        help="équipements conservés jusqu'à cette distance hors du territoire (défaut 40 km)",
    )
    p.add_argument(
        "--travel-method",
        choices=("straight_line", "network"),
        default="straight_line",
        help="temps de parcours : vol d'oiseau avec détour calibré (défaut) ou réseau routier",
    )
    p.add_argument(
        "--road-graph",
        type=Path,
        default=None,
        help="graphe routier OSM (GraphML d'OSMnx ou extrait .osm.pbf), requis par network",
    )
    p.add_argument(
        "--threshold",
        type=_bounded("seuil", 0.0, 120.0, low_open=True),
        default=15.0,
        help="seuil d'accès des indicateurs principaux, en minutes (défaut 15)",
    )
    p.add_argument(
        "--accept-loss",
        action="store_true",
        help="remplacer l'entrepôt même si la construction a perdu des sources ou des lignes",
    )
    p.add_argument(
        "--population-grid",
        type=Path,
        default=None,
        help="carroyage de population à 200 m lu à la place de celui du catalogue "
        "(fichier déclaré dans etl/population_grid.py, par ex. le bloc Filosofi 2021 "
        "du nord-est de l'Ille-et-Vilaine)",
    )

    p = sub.add_parser(
        "sources", help="catalogue des sources et, pour un entrepôt, ce qui a été chargé"
    )
    p.add_argument("--db", type=Path, default=None, help="entrepôt construit à décrire")

    p = sub.add_parser("indicators", help="registre des indicateurs (définitions, unités)")
    p.add_argument("--db", type=Path, default=None, help="entrepôt construit à décrire")

    p = sub.add_parser("serve", help="ouvrir le tableau de bord (lecture seule de l'entrepôt)")
    p.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"entrepôt construit (défaut {DEFAULT_DB})"
    )
    p.add_argument("--port", type=_port, default=8050, help="port HTTP (défaut 8050)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="adresse d'écoute (défaut 127.0.0.1 ; 0.0.0.0 pour exposer, derrière un proxy)",
    )
    p.add_argument(
        "--production",
        action="store_true",
        help="serveur gunicorn (sinon serveur de développement)",
    )
    _add_export(sub)
    _add_plan(sub)
    return parser


def _add_plan(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan",
        help="où implanter de nouveaux sites (couverture maximale, p-médiane) "
        "et quels sites existants sont indispensables",
    )
    p.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"entrepôt construit (défaut {DEFAULT_DB})"
    )
    p.add_argument("--territory", required=True, help="fr, dep:35, reg:53 ou epci:<siren>")
    p.add_argument(
        "--service", required=True, help="type d'équipement : france_services, third_place, a206…"
    )
    p.add_argument("--mode", default="car", help="walk, bike ou car (défaut car)")
    p.add_argument(
        "--threshold",
        type=_bounded("seuil", 0.0, 240.0, low_open=True),
        default=20.0,
        help="seuil d'accès en minutes (défaut 20)",
    )
    p.add_argument("--new", type=int, default=3, help="nombre de nouveaux sites (défaut 3)")
    p.add_argument(
        "--candidates",
        type=Path,
        help="CSV des sites candidats (lon,lat[,nom] ou code_commune) ; "
        "défaut : la mairie de chaque commune du territoire",
    )
    p.add_argument(
        "--objective",
        default="coverage",
        help="coverage (habitants nouvellement à portée, défaut) ou time (temps moyen)",
    )
    p.add_argument(
        "--from-scratch",
        action="store_true",
        help="ignorer les sites existants (implantation depuis zéro)",
    )
    p.add_argument(
        "--critical",
        action="store_true",
        help="classer les sites existants : habitants qui passeraient au-delà du seuil "
        "si chacun fermait",
    )
    p.add_argument(
        "--time-limit",
        type=_bounded("limite de temps", 0.0, 86400.0, low_open=True),
        default=60.0,
        help="limite de temps du solveur en secondes (défaut 60)",
    )
    p.add_argument(
        "--road-graph", type=Path, help="graphe routier (entrepôt construit sur le réseau)"
    )
    p.add_argument("--format", help="csv, xlsx ou gpkg (avec --out)")
    p.add_argument("--out", type=Path, help="fichier à écrire")
    p.add_argument("--quiet", action="store_true", help="pas de barre de progression")


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="exporter les indicateurs d'un niveau (CSV, XLSX, GeoPackage, Parquet)"
    )
    p.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"entrepôt construit (défaut {DEFAULT_DB})"
    )
    p.add_argument("--level", required=True, help="commune, epci, departement ou region")
    p.add_argument(
        "--territory",
        default=None,
        help="fr, dep:35, reg:53 ou epci:<siren> : lignes du niveau dans ce territoire",
    )
    p.add_argument(
        "--theme",
        default="all",
        help="access, third_places, mobility, ess, fracture ou all (défaut all)",
    )
    p.add_argument("--format", required=True, help="csv, xlsx, gpkg ou parquet")
    p.add_argument("--out", type=Path, required=True, help="fichier à écrire")
    p.add_argument(
        "--decimal-comma", action="store_true", help="CSV : virgule décimale (12,5 au lieu de 12.5)"
    )


def _settings(args: argparse.Namespace) -> Settings:
    # Only a command without --territory (fetch) falls back to dep:35: an empty value
    # given by the user is an error, never the default territory.
    given = getattr(args, "territory", None)
    territory = parse_territory("dep:35" if given is None else given)
    return Settings(
        db_path=getattr(args, "db", None) or DEFAULT_DB,
        cache_dir=args.cache,
        mirror_dir=args.mirror.resolve() if args.mirror else None,
        offline=args.offline,
        territory=territory,
        facility_buffer_m=getattr(args, "buffer_km", 40.0) * 1000.0,
        progress=not args.quiet and sys.stderr.isatty(),
        travel_method=getattr(args, "travel_method", "straight_line"),
        road_graph=getattr(args, "road_graph", None),
        threshold_min=getattr(args, "threshold", 15.0),
        accept_loss=getattr(args, "accept_loss", False),
    )


def _cmd_fetch(args: argparse.Namespace) -> int:
    from etl.catalogue import load_catalogue
    from etl.fetch import Fetched, fetch_many

    settings = _settings(args)
    catalogue = load_catalogue()
    unknown = [n for n in args.source if n not in catalogue]
    if unknown:
        print(
            f"erreur: source(s) inconnue(s) {unknown}; voir `territoires sources`", file=sys.stderr
        )
        return EXIT_USAGE
    chosen = [catalogue[n] for n in args.source] if args.source else list(catalogue.values())
    results = fetch_many(chosen, settings)
    failed = 0
    for name, result in results.items():
        if isinstance(result, Fetched):
            print(f"ok        {name:28s} {result.origin}")
        else:
            failed += 1
            print(f"manquante {name:28s} {result}")
    print(f"{len(results) - failed} source(s) disponible(s), {failed} manquante(s)")
    return EXIT_OK


def _population_grid(path: Path | None) -> dict[str, Any]:
    """Keyword arguments of ``build`` reading the population grid file ``path`` in
    place (none when ``path`` is None); ValueError for a missing or undeclared file."""
    if path is None:
        return {}
    from etl.population_grid import grid_catalogue, grid_fetcher

    if not path.is_file():
        raise ValueError(f"carroyage introuvable : {path}")
    return {"catalogue": grid_catalogue(path), "fetcher": grid_fetcher(path)}


def _cmd_build(args: argparse.Namespace) -> int:
    from indicators.pipeline import build_steps
    from warehouse.build import build
    from warehouse.gate import check_warehouse_path

    settings = _settings(args)
    if settings.travel_method == "network" and settings.road_graph is None:
        print("erreur: --travel-method network demande --road-graph FICHIER", file=sys.stderr)
        return EXIT_USAGE
    if settings.road_graph is not None and not settings.road_graph.is_file():
        print(f"erreur: graphe routier introuvable : {settings.road_graph}", file=sys.stderr)
        return EXIT_USAGE
    if settings.mirror_dir is not None and not settings.mirror_dir.is_dir():
        print(
            f"erreur: dossier miroir introuvable : {settings.mirror_dir} (vérifiez --mirror ; "
            "l'entrepôt n'a pas été touché)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    check_warehouse_path(settings.db_path, for_writing=True)
    try:
        grid = _population_grid(args.population_grid)
    except ValueError as exc:  # etl.population_grid.GridFileError
        print(f"erreur: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = build(settings, steps=build_steps(), **grid)
    print(f"entrepôt {report.db_path} construit pour {report.territory} en {report.seconds:.1f} s")
    for table, rows in report.table_rows.items():
        print(f"  {table:24s} {rows:>9,d} lignes".replace(",", "\u202f"))
    if report.missing:
        hint = f"territoires sources --db {report.db_path}"
        print(f"{len(report.missing)} source(s) manquante(s) (détail: `{hint}`):")
        for rec in report.missing:
            print(f"  - {rec.name}")
    return EXIT_OK


def _cmd_sources(args: argparse.Namespace) -> int:
    from warehouse.sources import describe_sources

    print(describe_sources(args.db))
    return EXIT_OK


def _cmd_indicators(args: argparse.Namespace) -> int:
    from indicators.cli import describe_indicators

    print(describe_indicators(args.db))
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from dashboards.serve import serve

    serve(args.db, args.port, args.production, host=args.host)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from etl.vocabulary import TERRITORY_KIND_LEVEL
    from indicators.exports import ExportError, check_format, check_target, export_to_file
    from warehouse.gate import connect

    territory = parse_territory(args.territory) if args.territory else None
    within = None if territory is None or territory.kind == "fr" else territory
    try:
        check_format(args.format)
        if args.out.resolve() == args.db.resolve():
            raise ExportError(
                f"--out {args.out} est l'entrepôt lui-même : choisissez un autre fichier"
            )
        check_target(args.out)
        con = connect(args.db, read_only=True)
        try:
            path, frame, meta = export_to_file(
                con,
                args.out,
                args.format,
                args.level,
                (TERRITORY_KIND_LEVEL[within.kind], within.code) if within else None,
                args.theme,
                decimal_comma=args.decimal_comma,
            )
        finally:
            con.close()
    except ExportError as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return EXIT_ERROR
    n = f"{len(frame):,d}".replace(",", "\u202f")
    print(f"{path} : {n} ligne(s) ({meta.scope}), {len(meta.indicators)} indicateur(s)")
    return EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    from etl.vocabulary import FRANCE_CODE, FRANCE_LEVEL, TERRITORY_KIND_LEVEL
    from geo.road_graph import load_road_graph
    from indicators import siting, siting_export
    from indicators.exports import ExportError, check_target
    from warehouse.gate import connect

    territory = parse_territory(args.territory)
    level = FRANCE_LEVEL if territory.kind == "fr" else TERRITORY_KIND_LEVEL[territory.kind]
    code = FRANCE_CODE if territory.kind == "fr" else territory.code
    try:
        if (args.format is None) != (args.out is None):
            raise siting.SitingError("--format et --out vont ensemble")
        if args.format is not None:
            if args.format not in siting_export.PLAN_FORMATS:
                raise siting.SitingError(f"format inconnu : {args.format!r} (csv, xlsx ou gpkg)")
            check_target(args.out)
        if not args.db.is_file():
            raise siting.SitingError(f"entrepôt introuvable : {args.db} (territoires build)")
        graph = load_road_graph(args.road_graph) if args.road_graph else None
        con = connect(args.db, read_only=True)
        try:
            candidates = siting.read_candidates(con, args.candidates) if args.candidates else None
            inputs = siting.load_inputs(con, level, code, args.service, args.mode, candidates)
        finally:
            con.close()
        name = str(args.territory)
        if args.critical:
            table = siting.criticality(inputs, args.threshold, graph)
            print(siting_export.describe_critical(table, name, args.threshold))
            if args.out:
                path = siting_export.write_critical(table, args.out, args.format)
                print(f"{path} : {len(table)} site(s)")
            return EXIT_OK
        with _progress_bar(not args.quiet and sys.stderr.isatty()) as progress:
            result = siting.plan_sites(
                inputs,
                args.new,
                threshold_min=args.threshold,
                objective=args.objective,
                keep_existing=not args.from_scratch,
                time_limit_s=args.time_limit,
                graph=graph,
                progress=progress,
            )
        print(siting_export.describe(result, name))
        if args.out:
            path = siting_export.write_plan(result, args.out, args.format)
            print(f"{path} : {len(result.sites)} site(s) proposé(s)")
    except (siting.SitingError, ExportError) as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


class _progress_bar:  # noqa: N801 (used as a context manager)
    """A tqdm bar fed by ``progress(stage, fraction)`` callbacks (or nothing)."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.bar: Any = None

    def __enter__(self) -> Callable[[str, float], None] | None:
        if not self.on:
            return None
        from tqdm import tqdm

        self.bar = tqdm(total=100, unit="%", leave=False, file=sys.stderr)

        def progress(stage: str, fraction: float) -> None:
            self.bar.set_description(stage)
            self.bar.n = round(100 * fraction)
            self.bar.refresh()

        return progress

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``territoires`` command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # Each retry of a failed download is logged by urllib3 in English; the final
        # failure is reported once, in French, in the list of missing sources.
        logging.getLogger("urllib3").setLevel(logging.ERROR)
    from etl.fetch import FetchError
    from warehouse.build import BuildError
    from warehouse.gate import WarehouseError

    commands = {
        "fetch": _cmd_fetch,
        "build": _cmd_build,
        "sources": _cmd_sources,
        "indicators": _cmd_indicators,
        "serve": _cmd_serve,
        "export": _cmd_export,
        "plan": _cmd_plan,
    }
    try:
        return commands[args.command](args)
    except TerritoryError as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (BuildError, FetchError, WarehouseError) as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
