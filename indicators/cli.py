"""Text for ``territoires indicators [--db PATH]``: the indicator registry, readable.

With a warehouse, the registry it holds (ids, labels, units, sources, vintages and
how many territories have a value); without one, the id patterns the build generates
and the everyday basket.
"""

from __future__ import annotations

from pathlib import Path

from geo.catchment import CATCHMENT_SERVICE_TYPES
from geo.constants import (
    DEFAULT_THRESHOLD_MIN,
    FRANCE_SERVICES_PROMISE_MIN,
    STATION_REMOTE_MIN,
    THIRD_PLACE_BIKE_MIN,
    THIRD_PLACE_CAR_MIN,
)
from indicators import _sql
from indicators.access_15min import EVERYDAY_BASKET
from indicators.registry import minutes_tag
from warehouse.gate import connect


def describe_indicators(db_path: Path | str | None = None) -> str:
    """The registry as text (French labels), from a warehouse or as id patterns.

    Parameters
    ----------
    db_path : path, optional
        A built warehouse (opened read-only). ``None`` describes the patterns.

    Raises
    ------
    warehouse.gate.WarehouseError
        The file is missing or unreadable.
    """
    if db_path is None:
        return _patterns()
    con = connect(Path(db_path), read_only=True)
    try:
        if not _sql.table_exists(con, "indicators"):
            return (
                f"{db_path} : aucun indicateur (entrepôt construit sans l'étape "
                "« indicators »).\n" + _patterns()
            )
        rows = con.execute(_sql.DESCRIBE_REGISTRY).fetchall()
    finally:
        con.close()
    lines = [f"{len(rows)} indicateurs dans {db_path}", ""]
    theme = None
    for ident, row_theme, label, unit, sources, vintage, n_values, n_rows in rows:
        if row_theme != theme:
            theme = row_theme
            lines += ["", f"[{theme}]"]
        lines.append(f"{ident}")
        lines.append(f"    {label} ({unit}) - valeurs : {n_values}/{n_rows} territoires")
        lines.append(f"    sources : {sources}")
        lines.append(f"    millésimes : {vintage}")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def _patterns() -> str:
    t = minutes_tag(DEFAULT_THRESHOLD_MIN)
    fs = minutes_tag(FRANCE_SERVICES_PROMISE_MIN)
    bike, car = minutes_tag(THIRD_PLACE_BIKE_MIN), minutes_tag(THIRD_PLACE_CAR_MIN)
    station = minutes_tag(STATION_REMOTE_MIN)
    themes = {
        "access": [
            (f"share_within_{t}min__<slug>__<mode>", f"part de la population à {t} min (%)"),
            ("median_minutes__<slug>__<mode>", "temps médian pondéré (min)"),
            ("mean_minutes__<slug>__<mode>", "temps moyen pondéré (min)"),
            (f"score_{t}min__<mode>", "services du panier du quotidien à portée (score)"),
            (f"score_{t}min__gamme_<gamme>__<mode>", "types de la gamme BPE (si chargée)"),
            (f"share_within_{fs}min__france_services__car", "engagement France Services (%)"),
            (f"population_beyond_{fs}min__france_services__car", "habitants au-delà (hab.)"),
            ("fca__<slug>__car", "2SFCA amélioré (pour 10 000 hab.)"),
        ],
        "third_places": [
            (f"share_within_{bike}min__third_place__bike", "à vélo (%)"),
            (f"share_within_{car}min__third_place__car", "en voiture (%)"),
            (f"population_beyond_{car}min__third_place__car", "habitants au-delà (hab.)"),
        ],
        "mobility": [
            (f"share_beyond_{station}min__train_station__car", "loin d'une gare (%)"),
            (
                f"share_beyond_{station}min__train_station__car__density_<c>",
                "par classe (c = 1..7, urban, rural, unknown)",
            ),
        ],
    }
    lines = [
        "Identifiants des indicateurs (modèles ; <slug> = type de service en minuscules,",
        f"<mode> = walk | bike | car ; seuil par défaut {DEFAULT_THRESHOLD_MIN:g} min) :",
    ]
    for theme, rows in themes.items():
        lines += ["", f"[{theme}]"]
        lines += [f"{ident:<54} {text}" for ident, text in rows]
    lines += [
        "",
        "2SFCA pour : " + ", ".join(CATCHMENT_SERVICE_TYPES),
        "Panier du quotidien (seuls les services chargés comptent) :",
    ]
    lines += [f"    - {item.label} : {', '.join(item.codes)}" for item in EVERYDAY_BASKET]
    lines += [
        "",
        "Chaque indicateur n'existe que si son type de service est chargé ;",
        "`territoires indicators --db PATH` liste ceux d'un entrepôt, avec sources et millésimes.",
    ]
    return "\n".join(lines) + "\n"
