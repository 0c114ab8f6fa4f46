"""The indicator registry: stable ids and the metadata shown with every figure.

:func:`registry_for` lists the indicators a warehouse can hold, from the service
types loaded and the sources that fed them. Ids are stable snake_case names that
exports and permalinks depend on (``T`` is the threshold in minutes, ``<slug>`` the
service type's slug, ``<mode>`` one of walk, bike, car):

===============================================  ============  =========================
id                                               theme         unit
===============================================  ============  =========================
``share_within_<T>min__<slug>__<mode>``          access        % of inhabitants
``median_minutes__<slug>__<mode>``               access        min
``mean_minutes__<slug>__<mode>``                 access        min
``score_<T>min__<mode>``                         access        everyday basket items
``score_<T>min__gamme_<gamme>__<mode>``          access        BPE types of the gamme
``share_within_30min__france_services__car``     access        % (ANCT promise)
``population_beyond_30min__france_services__car`` access       inhabitants
``share_within_15min__third_place__bike``        third_places  %
``share_within_20min__third_place__car``         third_places  %
``population_beyond_20min__third_place__car``    third_places  inhabitants
``share_beyond_<N>min__train_station__car``      mobility      % (all inhabitants)
``share_beyond_<N>min__train_station__car__density_<class>``  mobility  % of the class
``fca__<slug>__car``                             access        sites per 10 000 inhab.
===============================================  ============  =========================

Every id is built by :func:`indicators.indicator.indicator_id` from the indicator's
structured fields (theme, kind, service type, mode, threshold, scope), which the
``indicators`` table stores: readers use the fields, never the id's text.

Sources and vintages are never invented: they are the catalogue names and vintages
recorded in the warehouse's ``meta`` table for the facility source(s) of the
service type and the population source(s) (plus the density grid for car times and
density classes, when it is loaded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Final

import pandas as pd

from geo.catchment import CATCHMENT_SERVICE_TYPES
from geo.constants import (
    DEFAULT_CONSTANTS,
    DEFAULT_THRESHOLD_MIN,
    FCA_PER_INHABITANTS,
    FRANCE_SERVICES_PROMISE_MIN,
    MODES,
    STATION_REMOTE_MIN,
    THIRD_PLACE_BIKE_MIN,
    THIRD_PLACE_CAR_MIN,
)
from indicators.access_15min import EVERYDAY_BASKET, BasketItem, basket_available
from indicators.basket_presence import presence_indicators
from indicators.indicator import (
    DENSITY_SUBSET_MARK,
    ESS_KINDS,
    FRACTURE_KINDS,
    KINDS,
    STRUCTURED_FIELDS,
    THEMES,
    Indicator,
    SourceInfo,
    frozen_mapping,
    indicator_id,
    minutes_tag,
    registry_frame,
)
from indicators.rural_mobility import DENSITY_CLASSES

# Re-exported: the record and naming live in indicators.indicator.
__all__ = [
    "DENSITY_SUBSET_MARK",
    "ESS_KINDS",
    "FRACTURE_KINDS",
    "FRANCE_SERVICES",
    "GAMMES",
    "KINDS",
    "MODE_PHRASES",
    "STRUCTURED_FIELDS",
    "THEMES",
    "THIRD_PLACE",
    "TRAIN_STATION",
    "Indicator",
    "SourceInfo",
    "frozen_mapping",
    "indicator_id",
    "minutes_tag",
    "registry_for",
    "registry_frame",
]

MODE_PHRASES: Final = MappingProxyType({"walk": "à pied", "bike": "à vélo", "car": "en voiture"})
GAMMES: Final = MappingProxyType(
    {"proximite": "de proximité", "intermediaire": "intermédiaire", "superieure": "supérieure"}
)
FRANCE_SERVICES: Final = "FRANCE_SERVICES"
THIRD_PLACE: Final = "THIRD_PLACE"
TRAIN_STATION: Final = "TRAIN_STATION"
_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_METHODS: Final = MappingProxyType(
    {
        "straight_line": "distance à vol d'oiseau (Lambert-93 ou UTM locale) multipliée par un "
        "coefficient de détour, à la vitesse du mode (voiture : selon la densité de la commune "
        "de départ, plus 2 min de stationnement) ; constantes et sources dans geo/constants.py",
        "network": "plus court chemin sur le graphe routier OpenStreetMap (vitesses par "
        "classe de route pour la voiture), accès à pied au réseau inclus",
    }
)


def _fmt(minutes: float) -> str:
    return f"{minutes:g}".replace(".", ",")


def registry_for(
    service_types: pd.DataFrame,
    sources: SourceInfo,
    *,
    threshold_min: float = DEFAULT_THRESHOLD_MIN,
    density_classes: Sequence[str] = ("all",),
    basket: Sequence[BasketItem] = EVERYDAY_BASKET,
    fca_bands: tuple[tuple[float, float, float], ...] = DEFAULT_CONSTANTS.fca_bands,
) -> list[Indicator]:
    """Every indicator the loaded service types allow, in a stable order.

    Parameters
    ----------
    service_types : DataFrame
        ``code``, ``slug``, ``label`` and optionally ``bpe_gamme`` (the
        ``service_types`` table). Types whose slug is not snake_case are skipped.
    sources : SourceInfo
        Catalogue names and vintages, for the ``sources``/``vintage`` fields.
    threshold_min : float
        The "quart d'heure" threshold of the access shares and scores.
    density_classes : sequence of str
        Density classes of the station indicator (see
        :func:`indicators.rural_mobility.classes_present`).
    basket : sequence of BasketItem
        The everyday basket; only its items met by loaded types count.
    fca_bands : tuple of (lower, upper, weight)
        2SFCA bands quoted in the definitions (``ModelConstants.fca_bands``).

    Returns
    -------
    list of Indicator
        Unique ids; a themed indicator (third places, France Services) replaces a
        generic access one with the same id.
    """
    types = service_types[service_types["slug"].astype(str).str.match(_SLUG_RE)]
    types = types.sort_values("code").reset_index(drop=True)
    available = basket_available(types, basket)
    builders = (
        _access(types, sources, threshold_min),
        _scores(types, available, sources, threshold_min),
        presence_indicators(
            available, sources, _counted_note(types, [c for i in available for c in i.codes])
        ),
        _france_services(types, sources),
        _third_places(types, sources),
        _mobility(types, sources, density_classes),
        _fca(types, sources, fca_bands),
        _commitments(types, sources),
    )
    by_id: dict[str, Indicator] = {}
    for batch in builders:
        for indicator in batch:
            by_id[indicator.id] = indicator
    return list(by_id.values())


def _method(sources: SourceInfo) -> str:
    return _METHODS.get(sources.method, sources.method)


def _share(
    code: str, slug: str, label: str, mode: str, t: float, sources: SourceInfo, theme: str
) -> Indicator:
    cited, vintage = sources.cite([code], density=mode == "car")
    return Indicator(
        id=indicator_id(theme, "share_within", slug, mode, t),
        theme=theme,
        label=f"Part de la population à {_fmt(t)} min ou moins {MODE_PHRASES[mode]} : {label}",
        unit="%",
        definition=(
            f"Part des habitants dont le temps de trajet {MODE_PHRASES[mode]} jusqu'à "
            f"l'équipement « {label} » le plus proche est d'au plus {_fmt(t)} minutes. "
            f"Temps estimé depuis chaque point de population : {_method(sources)}. Un point "
            "sans équipement de ce type dans sa zone (métropole, chaque DROM) est compté "
            "au-delà du seuil."
        ),
        formula=f"100 × Σ P_i · 1[t_i ≤ {_fmt(t)}] / Σ P_i (i : points de population)",
        sources=cited,
        vintage=vintage,
        higher_is_better=True,
        decimals=1,
        service_type=code,
        mode=mode,
        threshold_min=t,
        kind="share_within",
    )


def _counted_note(types: pd.DataFrame, codes: Sequence[str]) -> str:
    """The sentence saying that some facilities of ``codes`` come from counts placed at
    the town halls (column ``counted_sources`` of ``service_types``), else ""."""
    if "counted_sources" not in types.columns:
        return ""
    chosen = types.loc[types["code"].isin(list(codes)), "counted_sources"]
    names = sorted({n.strip() for v in chosen.dropna() for n in str(v).split(",") if n.strip()})
    if not names:
        return ""
    return (
        f" Équipements de {', '.join(names)} : dénombrements de la BPE par commune, sans "
        "coordonnées ; chaque équipement compté est placé au chef-lieu (mairie) de sa "
        "commune (localisation « chef-lieu (BPE dénombrement) »), là où aucune source "
        "géolocalisée ne couvre le type. C'est la mesure « de chef-lieu à chef-lieu » de "
        "l'INSEE : le temps va jusqu'au chef-lieu de la commune équipée la plus proche, "
        "nul ou presque pour les habitants d'une commune équipée quand les points de "
        "population sont les mairies."
    )


def _access(types: pd.DataFrame, sources: SourceInfo, t: float) -> list[Indicator]:
    out = []
    for code, slug, label in types[["code", "slug", "label"]].itertuples(index=False):
        counted = _counted_note(types, [code])
        for mode in MODES:
            share = _share(code, slug, label, mode, t, sources, "access")
            out.append(_replace_text(share, definition=share.definition + counted))
            cited, vintage = sources.cite([code], density=mode == "car")
            for kind, word, formula in (
                ("median", "médian", "médiane pondérée (P_i) des t_i"),
                ("mean", "moyen", "Σ P_i · t_i / Σ P_i (points atteignant un équipement)"),
            ):
                out.append(
                    Indicator(
                        id=indicator_id("access", kind, slug, mode),
                        theme="access",
                        label=f"Temps {word} {MODE_PHRASES[mode]} jusqu'à : {label}",
                        unit="min",
                        definition=(
                            f"Temps {word} (pondéré par la population) {MODE_PHRASES[mode]} "
                            f"jusqu'à l'équipement « {label} » le plus proche. "
                            f"{_method(sources).capitalize()}. "
                            + (
                                "Non calculé si plus de la moitié des habitants n'a aucun "
                                "équipement de ce type dans sa zone."
                                if kind == "median"
                                else "Les points sans équipement de ce type dans leur zone "
                                "sont exclus de la moyenne."
                            )
                            + counted
                        ),
                        formula=formula,
                        sources=cited,
                        vintage=vintage,
                        higher_is_better=False,
                        decimals=1,
                        service_type=code,
                        mode=mode,
                        threshold_min=None,
                        kind=kind,
                    )
                )
    return out


def _scores(
    types: pd.DataFrame, items: Sequence[BasketItem], sources: SourceInfo, t: float
) -> list[Indicator]:
    out = []
    groups: list[tuple[str, str, list[str], str]] = []
    if items:
        listed = ", ".join(f"{i.label} ({'/'.join(i.codes)})" for i in items)
        groups.append(("", "panier du quotidien", [c for i in items for c in i.codes], listed))
    gammes = types.get("bpe_gamme", pd.Series(dtype=object)).astype(object)
    for gamme, phrase in GAMMES.items():
        codes = types.loc[gammes.astype(str) == gamme, "code"].tolist()
        if codes:
            groups.append((gamme, f"gamme {phrase} de la BPE", codes, ", ".join(codes)))
    for gamme, name, codes, listed in groups:
        n_items = len(items) if not gamme else len(codes)
        for mode in MODES:
            cited, vintage = sources.cite(codes, density=mode == "car")
            out.append(
                Indicator(
                    id=indicator_id("access", "score", None, mode, t, gamme),
                    theme="access",
                    label=(f"Score du quart d'heure {MODE_PHRASES[mode]} ({name}, sur {n_items})"),
                    unit="score",
                    definition=(
                        f"Nombre moyen (pondéré par la population) des {n_items} services "
                        f"du {name} accessibles en {_fmt(t)} minutes ou moins "
                        f"{MODE_PHRASES[mode]}. Seuls les services chargés dans l'entrepôt "
                        f"comptent : {listed}. {_method(sources).capitalize()}."
                        + _counted_note(types, codes)
                    ),
                    formula=f"Σ P_i · Σ_s 1[t_is ≤ {_fmt(t)}] / Σ P_i (s : services comptés)",
                    sources=cited,
                    vintage=vintage,
                    higher_is_better=True,
                    decimals=2,
                    service_type=None,
                    mode=mode,
                    threshold_min=t,
                    kind="score",
                    scope=gamme,
                )
            )
    return out


def _label_of(types: pd.DataFrame, code: str) -> str | None:
    match = types.loc[types["code"] == code, "label"]
    return str(match.iloc[0]) if len(match) else None


def _population_beyond(
    code: str, slug: str, label: str, mode: str, t: float, sources: SourceInfo, theme: str
) -> Indicator:
    cited, vintage = sources.cite([code], density=mode == "car")
    return Indicator(
        id=indicator_id(theme, "population_beyond", slug, mode, t),
        theme=theme,
        label=f"Habitants à plus de {_fmt(t)} min {MODE_PHRASES[mode]} : {label}",
        unit="hab.",
        definition=(
            f"Nombre d'habitants dont le temps de trajet {MODE_PHRASES[mode]} jusqu'à "
            f"l'équipement « {label} » le plus proche dépasse {_fmt(t)} minutes (ou qui "
            f"n'en ont aucun dans leur zone). {_method(sources).capitalize()}."
        ),
        formula=f"Σ P_i · 1[t_i > {_fmt(t)}]",
        sources=cited,
        vintage=vintage,
        higher_is_better=False,
        decimals=0,
        service_type=code,
        mode=mode,
        threshold_min=t,
        kind="population_beyond",
    )


def _france_services(types: pd.DataFrame, sources: SourceInfo) -> list[Indicator]:
    label = _label_of(types, FRANCE_SERVICES)
    if label is None:
        return []
    slug = str(types.loc[types["code"] == FRANCE_SERVICES, "slug"].iloc[0])
    t = FRANCE_SERVICES_PROMISE_MIN
    share = _share(FRANCE_SERVICES, slug, label, "car", t, sources, "access")
    promise = (
        " Engagement du programme France Services (ANCT) : une structure à moins de "
        f"{_fmt(t)} minutes de chaque habitant."
    )
    return [
        _replace_text(share, definition=share.definition + promise),
        _population_beyond(FRANCE_SERVICES, slug, label, "car", t, sources, "access"),
    ]


def _replace_text(indicator: Indicator, **changes: str) -> Indicator:
    """A copy with some of its text fields (label, unit, definition...) changed."""
    return replace(indicator, **changes)  # type: ignore[arg-type]  # str fields only


def _third_places(types: pd.DataFrame, sources: SourceInfo) -> list[Indicator]:
    label = _label_of(types, THIRD_PLACE)
    if label is None:
        return []
    slug = str(types.loc[types["code"] == THIRD_PLACE, "slug"].iloc[0])
    note = (
        " Les tiers-lieux chargés sont ceux des sources du catalogue (les « Fabriques de "
        "territoire » de l'ANCT sont placées au centre de leur commune et ne forment pas "
        "le recensement complet des tiers-lieux)."
    )
    bike = _share(THIRD_PLACE, slug, label, "bike", THIRD_PLACE_BIKE_MIN, sources, "third_places")
    car = _share(THIRD_PLACE, slug, label, "car", THIRD_PLACE_CAR_MIN, sources, "third_places")
    far = _population_beyond(
        THIRD_PLACE, slug, label, "car", THIRD_PLACE_CAR_MIN, sources, "third_places"
    )
    return [_replace_text(i, definition=i.definition + note) for i in (bike, car, far)]


def _mobility(
    types: pd.DataFrame, sources: SourceInfo, density_classes: Sequence[str]
) -> list[Indicator]:
    label = _label_of(types, TRAIN_STATION)
    if label is None:
        return []
    slug = str(types.loc[types["code"] == TRAIN_STATION, "slug"].iloc[0])
    t = STATION_REMOTE_MIN
    cited, vintage = sources.cite([TRAIN_STATION], density=True)
    out = []
    for density_class in density_classes:
        who = DENSITY_CLASSES[density_class]
        scope_text = "" if density_class == "all" else f" ({who})"
        out.append(
            Indicator(
                id=indicator_id("mobility", "share_beyond", slug, "car", t, density_class),
                theme="mobility",
                label=f"Part de la population à plus de {_fmt(t)} min d'une gare en voiture"
                + scope_text,
                unit="%",
                definition=(
                    f"Part des habitants{scope_text} à plus de {_fmt(t)} minutes en voiture "
                    "de la gare de voyageurs la plus proche (ou sans gare dans leur zone). "
                    "Classe de densité : grille communale de densité de l'INSEE (7 niveaux), "
                    "« classe de densité inconnue » quand la grille n'est pas chargée ou ne "
                    f"couvre pas la commune. {_method(sources).capitalize()}."
                ),
                formula=f"100 × Σ_(i ∈ classe) P_i · 1[t_i > {_fmt(t)}] / Σ_(i ∈ classe) P_i",
                sources=cited,
                vintage=vintage,
                higher_is_better=False,
                decimals=1,
                service_type=TRAIN_STATION,
                mode="car",
                threshold_min=t,
                kind="share_beyond",
                scope=density_class,
                density_class=None if density_class == "all" else density_class,
            )
        )
    return out


def _fca(
    types: pd.DataFrame,
    sources: SourceInfo,
    fca_bands: tuple[tuple[float, float, float], ...],
) -> list[Indicator]:
    bands = " ; ".join(f"{_fmt(lo)}-{_fmt(hi)} min : {w:g}" for lo, hi, w in fca_bands)
    out = []
    for code, slug, label in types[["code", "slug", "label"]].itertuples(index=False):
        if code not in CATCHMENT_SERVICE_TYPES:
            continue
        cited, vintage = sources.cite([code], density=True)
        out.append(
            Indicator(
                id=indicator_id("access", "fca", slug, "car"),
                theme="access",
                label=f"Accessibilité potentielle (2SFCA) en voiture : {label}",
                unit=f"pour {FCA_PER_INHABITANTS:,.0f} hab.".replace(",", " "),
                definition=(
                    f"Nombre de sites « {label} » accessibles par habitant, en tenant compte "
                    "de la population qui se partage chaque site (méthode 2SFCA améliorée de "
                    f"Luo et Qi 2009, comme l'APL de la DREES), bandes de temps en voiture "
                    f"{bands}, au-delà 0. Offre = 1 par site (la capacité des sites n'est pas "
                    "publiée), demande = toute la population, y compris celle qui vit autour "
                    "du territoire construit (chaque site est partagé avec ses habitants de "
                    "l'autre côté de la limite, comme dans une construction nationale). "
                    f"{_method(sources).capitalize()}."
                ),
                formula=(
                    "R_j = S_j / Σ_k P_k W(t_kj) ; A_i = Σ_j R_j W(t_ij) ; "
                    f"valeur = {FCA_PER_INHABITANTS:g} × Σ P_i A_i / Σ P_i"
                ),
                sources=cited,
                vintage=vintage,
                higher_is_better=True,
                decimals=2,
                service_type=code,
                mode="car",
                threshold_min=None,
                kind="fca",
            )
        )
    return out


_LAPOSTE_TEXT: Final = (
    "Règle de présence territoriale de La Poste (loi n° 90-568 du 2 juillet 1990, "
    "article 6, III, modifiée par la loi n° 2005-516 du 20 mai 2005 ; décret "
    "n° 2007-448 du 25 mars 2007) : pas plus de 10 % de la population d'un département "
    "à plus de 5 km et à plus de 20 minutes de trajet automobile des plus proches "
    "points de contact (bureaux de poste, agences postales communales et "
    "intercommunales, relais poste). La règle vaut pour les départements ; les autres "
    "niveaux sont donnés pour information. Engagement tenu quand la part est d'au plus "
    "10 %."
)


def _commitments(types: pd.DataFrame, sources: SourceInfo) -> list[Indicator]:
    """La Poste's presence rule and the France Services promise (indicators/commitments)."""
    from indicators.commitments import (
        FRANCE_SERVICES_MAX_SHARE_PCT,
        LAPOSTE_CONTACT_TYPES,
        LAPOSTE_MAX_MIN,
        LAPOSTE_MAX_SHARE_PCT,
    )

    out = []
    contact = [c for c in LAPOSTE_CONTACT_TYPES if _label_of(types, c) is not None]
    if contact:
        cited, vintage = sources.cite(contact, density=True)
        listed = ", ".join(f"{_label_of(types, c)} ({c})" for c in contact)
        for scope, how in (
            (
                "laposte_route",
                "les 5 km sont la longueur de trajet estimée (distance à vol d'oiseau × "
                "coefficient de détour de la voiture, ou chemin sur le graphe routier)",
            ),
            (
                "laposte_crow",
                "les 5 km sont mesurés à vol d'oiseau (variante : la loi ne dit pas comment "
                "les mesurer)",
            ),
        ):
            variant = "" if scope == "laposte_route" else ", 5 km à vol d'oiseau"
            out.append(
                Indicator(
                    id=indicator_id(
                        "commitments", "commitment", None, "car", LAPOSTE_MAX_MIN, scope
                    ),
                    theme="commitments",
                    label="Présence postale : part de la population à plus de 5 km et de "
                    f"20 min en voiture d'un point de contact{variant} (engagement : 10 % "
                    "au plus)",
                    unit="%",
                    definition=(
                        f"{_LAPOSTE_TEXT} Points de contact chargés : {listed}. Temps en "
                        f"voiture : {_method(sources)} ; {how}. Un habitant est compté "
                        "au-delà quand le point de contact le plus proche est à la fois à "
                        "plus de 5 km et à plus de 20 minutes."
                    ),
                    formula="100 × Σ P_i · 1[d_i > 5 km et t_i > 20 min] / Σ P_i",
                    sources=cited,
                    vintage=vintage,
                    higher_is_better=False,
                    decimals=1,
                    service_type=None,
                    mode="car",
                    threshold_min=LAPOSTE_MAX_MIN,
                    kind="commitment",
                    scope=scope,
                    target_max=LAPOSTE_MAX_SHARE_PCT,
                    binding_level="departement",
                )
            )
    fs_label = _label_of(types, FRANCE_SERVICES)
    if fs_label is not None:
        t = FRANCE_SERVICES_PROMISE_MIN
        cited, vintage = sources.cite([FRANCE_SERVICES], density=True)
        out.append(
            Indicator(
                id=indicator_id("commitments", "commitment", None, "car", t, "france_services"),
                theme="commitments",
                label=f"Promesse France Services : part de la population à plus de {_fmt(t)} "
                "min en voiture (engagement : personne)",
                unit="%",
                definition=(
                    f"Promesse du programme France Services : une structure à moins de "
                    f"{_fmt(t)} minutes de chaque habitant (circulaire du Premier ministre "
                    "n° 6094/SG du 1er juillet 2019 ; ANCT). Engagement tenu quand aucun "
                    f"habitant n'est à plus de {_fmt(t)} minutes en voiture de la France "
                    f"Services la plus proche. {_method(sources).capitalize()}."
                ),
                formula=f"100 × Σ P_i · 1[t_i > {_fmt(t)}] / Σ P_i",
                sources=cited,
                vintage=vintage,
                higher_is_better=False,
                decimals=2,
                service_type=FRANCE_SERVICES,
                mode="car",
                threshold_min=t,
                kind="commitment",
                scope="france_services",
                target_max=FRANCE_SERVICES_MAX_SHARE_PCT,
            )
        )
    return out
