"""The service-type table: every code a facility source may produce, declared once.

The rows live in ``etl/service_types.csv`` (one per code: BPE TYPEQU such as
``A206`` or our own code such as ``FRANCE_SERVICES``), next to the sources
catalogue, and the everyday-basket items they refer to in ``etl/basket_items.csv``.
This module reads them into frozen objects (nothing here is a mutable global). It
sits in ``warehouse``, not ``etl``, because geo and indicators modules that the
dashboard imports read it, and the dashboard never imports ``etl`` (import-linter).
Every layer reads the table from here or, after a build, from the warehouse table
``service_types``:

- the build labels the types and refuses a facility whose type is in neither the
  table nor a loaded BPE nomenclature (:mod:`warehouse.build`);
- ``capacity_limited`` gives the 2SFCA catchment types (:mod:`geo.access_step`);
- ``basket_item`` gives the everyday basket (:mod:`indicators.access_15min`);
- ``aliases`` map the codes of other BPE vintages onto the table's code (D301, the
  pharmacy of 2013-2019, counts as D307); an alias ``source:CODE`` holds only for
  that catalogue source, for a code INSEE reused with another meaning (D201 is the
  GP in the BPE 2019 counts, "urgences" from 2021): the build renames the types of
  every facility source through them (table ``service_type_aliases``);
- ``sources`` says which count sources (role ``facility_counts``) supply the type
  (``warehouse/sql/marts/facility_counts.sql``).

A variant table (tests, a local source) is read with ``load_service_types(path)``
and passed to ``warehouse.build.build(..., service_types=...)``; the build steps
read the basket back from the warehouse table ``service_types``.

Adding a facility source with a new type = a catalogue entry, a loader (and its
test) and one row in ``etl/service_types.csv``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

SERVICE_TYPES_FILE: Final = "etl/service_types.csv"
_COLUMNS: Final = (
    "code",
    "label",
    "family",
    "basket_item",
    "capacity_limited",
    "bpe_gamme",
    "sources",
    "aliases",
)
_BASKET_COLUMNS: Final = ("key", "label", "keywords")
_CODE_RE: Final = re.compile(r"^(?:[A-G][0-9A-Z]{3}|[A-Z][A-Z0-9_]*[A-Z0-9])$")
# A BPE TYPEQU code (the others are our own codes, for sources without one).
_BPE_CODE_RE: Final = re.compile(r"^[A-G][0-9A-Z]{3}$")
# An alias: a BPE code, optionally qualified by the catalogue source it holds for.
_ALIAS_RE: Final = re.compile(r"^(?:(?P<source>[a-z][a-z0-9_]*):)?(?P<code>[A-G][0-9A-Z]{3})$")
_GAMMES: Final = frozenset({"proximite", "intermediaire", "superieure"})
_BOOLEANS: Final = {"true": True, "false": False}


class ServiceTypeError(ValueError):
    """A malformed service-type table (the message names the file and the row)."""


@dataclass(frozen=True)
class BasketItem:
    """One item of the everyday basket, as declared in ``etl/basket_items.csv``."""

    key: str
    label: str
    keywords: tuple[str, ...]  # one must appear in the type's label (accents, case folded)


@dataclass(frozen=True)
class ServiceType:
    """One row of the service-type table.

    Attributes
    ----------
    code : str
        BPE TYPEQU (``A206``) or own code (``FRANCE_SERVICES``); the indicator ids use
        its lower case.
    label : str
        French label, used in indicator labels.
    family : str
        Theme shown to users (services publics, enseignement, commerce, santé...).
    basket_item : str
        Key of the everyday-basket item the type satisfies, "" when none.
    capacity_limited : bool
        Supply limited by a capacity (desks, classes): car catchments and 2SFCA.
    bpe_gamme : str
        ``proximite``, ``intermediaire`` or ``superieure`` when officially known, else "".
    sources : tuple[str, ...]
        Catalogue sources producing the code.
    aliases : tuple[str, ...]
        Codes of other BPE vintages meaning this type: ``D301`` (any source) or
        ``bpe19_ensemble:D201`` (only that source).
    """

    code: str
    label: str
    family: str
    basket_item: str = ""
    capacity_limited: bool = False
    bpe_gamme: str = ""
    sources: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def nomenclature(self) -> str:
        """``"BPE"`` for a TYPEQU code, ``"propre"`` for our own codes."""
        return "BPE" if _BPE_CODE_RE.match(self.code) else "propre"


@dataclass(frozen=True)
class ServiceTypes:
    """The whole table: types in file order and the basket items they refer to."""

    types: tuple[ServiceType, ...]
    basket_items: tuple[BasketItem, ...]
    path: str = SERVICE_TYPES_FILE

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.types)

    def by_code(self) -> Mapping[str, ServiceType]:
        """Types by code."""
        return {t.code: t for t in self.types}

    def capacity_limited(self) -> tuple[str, ...]:
        """Codes of the capacity-limited types, in table order."""
        return tuple(t.code for t in self.types if t.capacity_limited)

    def basket_codes(self, key: str) -> tuple[str, ...]:
        """Codes satisfying the basket item ``key``, sorted."""
        return tuple(sorted(t.code for t in self.types if t.basket_item == key))

    def alias_rows(self) -> tuple[tuple[str | None, str, str], ...]:
        """``(source or None, alias, code)``: the published code ``alias`` of ``source``
        (of every source when None) means the table's ``code``."""
        rows = []
        for t in self.types:
            for alias in t.aliases:
                match = _ALIAS_RE.match(alias)
                assert match is not None  # checked by parse_service_types
                rows.append((match["source"], match["code"], t.code))
        return tuple(rows)

    def source_rows(self) -> tuple[tuple[str, str], ...]:
        """``(code, source)`` for every catalogue source a type's row names."""
        return tuple((t.code, s) for t in self.types for s in t.sources)


def fold(text: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _rows(text: str, where: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """CSV rows of ``text`` (lines starting with ``#`` are comments), header checked."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != columns:
        raise ServiceTypeError(f"{where}: colonnes {reader.fieldnames} ; attendu {list(columns)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ServiceTypeError(f"{where}, ligne {number}: nombre de champs incorrect")
        rows.append({k: v.strip() for k, v in row.items()})
    return rows


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _basket(text: str, where: str) -> tuple[BasketItem, ...]:
    items = []
    for row in _rows(text, where, _BASKET_COLUMNS):
        if not row["key"] or not row["label"] or not row["keywords"]:
            raise ServiceTypeError(f"{where}: élément {row['key']!r} incomplet")
        items.append(BasketItem(row["key"], row["label"], _split(row["keywords"])))
    return tuple(items)


def _service_type(row: dict[str, str], where: str, basket: Mapping[str, BasketItem]) -> ServiceType:
    code = row["code"]
    if not _CODE_RE.match(code):
        raise ServiceTypeError(f"{where}: code mal formé {code!r}")
    if not row["label"] or not row["family"]:
        raise ServiceTypeError(f"{where}: type {code!r} sans libellé ou sans famille")
    if row["capacity_limited"] not in _BOOLEANS:
        raise ServiceTypeError(
            f"{where}: type {code!r}: capacity_limited doit valoir true ou false"
        )
    if row["bpe_gamme"] and row["bpe_gamme"] not in _GAMMES:
        raise ServiceTypeError(f"{where}: type {code!r}: gamme inconnue {row['bpe_gamme']!r}")
    item = row["basket_item"]
    if item and item not in basket:
        raise ServiceTypeError(
            f"{where}: type {code!r}: élément du panier inconnu {item!r} "
            f"(déclarés : {', '.join(basket)})"
        )
    if item and not any(fold(k) in fold(row["label"]) for k in basket[item].keywords):
        raise ServiceTypeError(
            f"{where}: type {code!r}: le libellé {row['label']!r} ne contient aucun mot-clé "
            f"de l'élément {item!r} du panier {basket[item].keywords}"
        )
    return ServiceType(
        code=code,
        label=row["label"],
        family=row["family"],
        basket_item=item,
        capacity_limited=_BOOLEANS[row["capacity_limited"]],
        bpe_gamme=row["bpe_gamme"],
        sources=_split(row["sources"]),
        aliases=_aliases(row["aliases"], code, where),
    )


def _aliases(value: str, code: str, where: str) -> tuple[str, ...]:
    aliases = _split(value)
    bad = [a for a in aliases if not _ALIAS_RE.match(a)]
    if bad:
        raise ServiceTypeError(
            f"{where}: type {code!r}: alias mal formé(s) {bad} (attendu : D301 ou source:D201)"
        )
    return aliases


def parse_service_types(
    text: str, basket_text: str, where: str = SERVICE_TYPES_FILE
) -> ServiceTypes:
    """Check and read a service-type table and its basket items (CSV texts).

    Raises
    ------
    ServiceTypeError
        Wrong header, malformed or duplicated code, empty label or family, a
        ``basket_item`` not declared or whose keywords the label lacks, a bad boolean
        or gamme, a malformed alias, an alias of every source that is a code of the
        table, the same alias for two types.
    """
    basket = {i.key: i for i in _basket(basket_text, "etl/basket_items.csv")}
    types = tuple(_service_type(row, where, basket) for row in _rows(text, where, _COLUMNS))
    codes = [t.code for t in types]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise ServiceTypeError(f"{where}: codes en double {dup}")
    clash = sorted({a for t in types for a in t.aliases} & set(codes))
    if clash:
        raise ServiceTypeError(f"{where}: alias déjà déclarés comme codes {clash}")
    table = ServiceTypes(types, tuple(basket.values()), where)
    keys = [(source, alias) for source, alias, _ in table.alias_rows()]
    twice = sorted({f"{s}:{a}" if s else a for s, a in keys if keys.count((s, a)) > 1})
    if twice:
        raise ServiceTypeError(f"{where}: alias déclarés pour deux types {twice}")
    return table


def _package_text(name: str) -> str:
    return resources.files("etl").joinpath(name).read_text(encoding="utf-8")


@cache
def _shipped() -> ServiceTypes:
    return parse_service_types(
        _package_text("service_types.csv"), _package_text("basket_items.csv")
    )


def load_service_types(path: Path | None = None) -> ServiceTypes:
    """The shipped table (``etl/service_types.csv``), or the variant at ``path``.

    A variant uses the shipped basket items (``etl/basket_items.csv``). The shipped
    table is read once (the result is frozen).
    """
    if path is None:
        return _shipped()
    text = Path(path).read_text(encoding="utf-8")
    return parse_service_types(text, _package_text("basket_items.csv"), str(path))
