"""Territory search: names of communes, EPCI, départements and régions (accents and
case optional, typos tolerated), INSEE codes, postal codes, former or delegated names.
Pure functions over rows read by ``queries``.

Traps handled (see UX_RELIABILITY.md): names shared by several communes are shown
as "Nom (dép.)"; a postal code returns a list; an old name leads to the current
commune; codes are text (leading zeros, 2A/2B, 97x).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from dashboards import queries
from dashboards.permalink import CODE_RE
from dashboards.queries import SearchEntry

POSTAL_RE = re.compile(r"^\d{5}$")
MAX_HITS = 15
# Typo tolerance: a name within this similarity (rapidfuzz ratio, 0-100) of what was
# typed is offered when nothing starts with or contains it ("Redn" -> Redon, 89).
FUZZY_CUTOFF = 80
FUZZY_MIN_LENGTH = 4
# Larger territories in the search, with the words of their hit.
_LEVEL_WHY = {"epci": "EPCI", "departement": "département", "region": "région"}
_KIND_NOTE = {
    "commune déléguée": "commune déléguée",
    "commune associée": "commune associée",
    "ancien nom": "ancien nom",
}


@dataclass(frozen=True)
class Hit:
    code: str  # a commune code ("35236") or a territory ("epci:243500741")
    label: str  # what the user reads: "Redon (35)", "Ancien nom → Nom actuel (35)"
    why: str  # "nom", "code INSEE", "code postal 35600", "commune déléguée", "EPCI"


def normalise(text: str) -> str:
    """Lower-case, accents removed, punctuation and apostrophes as spaces, ``st`` for
    ``saint``: ``"Saint-Malo"``, ``"st malo"`` and ``"SAINT MALO"`` all match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^0-9a-z]+", " ", bare.replace("œ", "oe").replace("æ", "ae")).split()
    return " ".join("st" if w == "saint" else "ste" if w == "sainte" else w for w in words)


@dataclass(frozen=True)
class IndexEntry:
    key: str  # normalised label
    entry: SearchEntry


def build_index(entries: Iterable[SearchEntry]) -> tuple[IndexEntry, ...]:
    """Normalise every label once."""
    return tuple(IndexEntry(normalise(e.label), e) for e in entries)


def level_entries(level: str, places: Iterable[queries.Territory]) -> list[SearchEntry]:
    """Search entries of the territories of a larger level: the code field holds the
    territory (``"epci:243500741"``), the match kind the level."""
    return [
        SearchEntry(
            f"{level}:{t.code}", t.name, level, t.code if level == "departement" else "", t.name
        )
        for t in places
    ]


@lru_cache(maxsize=8)
def index_for(wh: queries.Warehouse) -> tuple[IndexEntry, ...]:
    """The search index of a warehouse (communes, then the larger levels of the
    build), built once per process."""
    entries = list(queries.search_entries(wh))
    for level in _LEVEL_WHY:
        if level in queries.levels(wh):
            entries += level_entries(level, queries.territories(wh, level))
    return build_index(entries)


def search_warehouse(wh: queries.Warehouse, text: str) -> list[Hit]:
    """:func:`find` against a warehouse."""
    return find(text, index_for(wh), lambda pc: queries.communes_of_postal_code(wh, pc))


def display_name(name: str, dep_code: str) -> str:
    return f"{name} ({dep_code})" if dep_code else name


def find(
    text: str,
    index: Sequence[IndexEntry],
    postal_lookup: Callable[[str], Iterable[str]],
    *,
    limit: int = MAX_HITS,
) -> list[Hit]:
    """Hits for what the user typed, best first, one per commune.

    Order: exact INSEE code, communes of a postal code, names starting with the
    text, then names containing it. Former or delegated names say which current
    commune they lead to.
    """
    raw = (text or "").strip().upper()
    if not raw:
        return []
    by_code = {i.entry.commune_code: i.entry for i in index if i.entry.match_kind == "nom"}
    hits: list[Hit] = []
    if CODE_RE["commune"].match(raw) and raw in by_code:
        e = by_code[raw]
        hits.append(Hit(raw, display_name(e.current_name, e.dep_code), "code INSEE"))
    for level in ("departement", "region", "epci"):
        found = next((i.entry for i in index if i.entry.commune_code == f"{level}:{raw}"), None)
        if found is not None:
            hits.append(_hit(found))
    if POSTAL_RE.match(raw):
        for code in postal_lookup(raw):
            found = by_code.get(code)
            if found is not None:
                hits.append(
                    Hit(
                        code, display_name(found.current_name, found.dep_code), f"code postal {raw}"
                    )
                )
    query = normalise(text)
    if query and not raw.isdigit():
        named = _name_hits(query, index)
        hits.extend(named)
        if len(named) < limit and len(query) >= FUZZY_MIN_LENGTH:
            hits.extend(_fuzzy_hits(query, index, limit))
    return _unique(hits)[:limit]


def _fuzzy_hits(query: str, index: Sequence[IndexEntry], limit: int) -> list[Hit]:
    """Names close to ``query`` (a letter missing, swapped or wrong), most similar
    first, said as "nom approché"."""
    found = process.extract(
        query,
        [i.key for i in index],
        scorer=fuzz.ratio,
        score_cutoff=FUZZY_CUTOFF,
        limit=limit,
    )
    # equal similarity: régions, départements and EPCI before communes
    found = sorted(
        found, key=lambda f: (-round(f[1]), index[f[2]].entry.match_kind not in _LEVEL_WHY)
    )
    out = []
    for _key, _score, position in found:
        hit = _hit(index[position].entry)
        why = "nom approché" if hit.why == "nom" else f"{hit.why}, nom approché"
        out.append(Hit(hit.code, hit.label, why))
    return out


def _name_hits(query: str, index: Sequence[IndexEntry]) -> list[Hit]:
    starts, contains = [], []
    for item in index:
        key, e = item.key, item.entry
        if key.startswith(query):
            starts.append((len(key), key, e))
        elif len(query) >= 3 and query in key:
            contains.append((len(key), key, e))
    ordered = [e for *_, e in sorted(starts, key=_rank)] + [
        e for *_, e in sorted(contains, key=_rank)
    ]
    return [_hit(e) for e in ordered]


def _rank(item: tuple[int, str, SearchEntry]) -> tuple[int, int, str]:
    length, key, entry = item
    return (0 if entry.match_kind in ("nom", *_LEVEL_WHY) else 1, length, key)


def _hit(e: SearchEntry) -> Hit:
    if e.match_kind in _LEVEL_WHY:
        level_word = _LEVEL_WHY[e.match_kind]
        suffix = f" ({level_word} {e.dep_code})" if e.dep_code else f" ({level_word})"
        return Hit(e.commune_code, e.label + suffix, level_word)
    if e.match_kind == "nom" or normalise(e.label) == normalise(e.current_name):
        return Hit(e.commune_code, display_name(e.current_name, e.dep_code), "nom")
    note = _KIND_NOTE.get(e.match_kind, e.match_kind)
    label = f"{e.label} → {display_name(e.current_name, e.dep_code)}"
    return Hit(e.commune_code, label, note)


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.code not in seen:
            seen.add(h.code)
            out.append(h)
    return out
