"""Every indicator of one territory with its standing among the territories of its
level, in two queries: the stored indicators from the build's ``indicator_standings``
(``portrait_standings.sql``; ``portrait_values.sql`` scans ``indicator_values`` in a
warehouse built before it) and the figures computed here (``portrait_computed.sql``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dashboards.queries.connection import Warehouse, _finite, _rows, columns, tables
from dashboards.queries.indicators import indicators
from dashboards.queries.territories import _checked_level
from indicators.step_context import NOTE_INCOMPLETE


@dataclass(frozen=True)
class Standing:
    """One territory's value of one indicator and where it stands in its level.

    ``n_ranked`` territories of the level have a value (neither missing nor secret);
    ``n_above`` / ``n_below`` of them a strictly higher / lower one.
    """

    value: float | None
    secret: bool
    numerator: float | None
    denominator: float | None
    note: str | None
    n_ranked: int
    n_above: int
    n_below: int

    def rank(self, higher_is_better: bool | None) -> int | None:
        """Competition rank (1, 2, 2, 4), 1 the most favourable value (the highest
        when the direction is unknown); None when not ranked."""
        if self.value is None or self.secret:
            return None
        return 1 + (self.n_below if higher_is_better is False else self.n_above)

    @property
    def n_tied(self) -> int:
        """Territories sharing this value, itself included (1: no tie)."""
        if self.value is None or self.secret:
            return 0
        return self.n_ranked - self.n_above - self.n_below


def has_standings(wh: Warehouse) -> bool:
    """Whether the warehouse has what the two queries read (``indicator_values.note``
    is absent from warehouses built before it)."""
    return "note" in columns(wh, "indicator_values") and "service_types" in tables(wh)


@lru_cache(maxsize=256)
def standings(wh: Warehouse, level: str, code: str) -> dict[str, Standing]:
    """Indicator id -> standing of the territory ``level``/``code`` (stored indicators
    and the figures computed here); an indicator without a row is absent."""
    params = {"level": _checked_level(level), "code": code}
    out: dict[str, Standing] = {}
    # the build's table of standings (one territory's rows), else a scan of the level
    name = "portrait_standings" if "indicator_standings" in tables(wh) else "portrait_values"
    for ind_id, v, secret, num, den, note, n, above, below in _rows(wh, name, params):
        out[str(ind_id)] = Standing(
            _finite(v),
            bool(secret),
            _finite(num),
            _finite(den),
            str(note) if note else None,
            int(n),
            int(above),
            int(below),
        )
    computed = {(i.kind, i.service_type or ""): i.id for i in indicators(wh) if i.computed_here}
    # the build's computed standings (one territory's rows), else computed for the level
    computed_name = (
        "portrait_computed_stored" if "computed_standings" in tables(wh) else "portrait_computed"
    )
    for kind, service_type, v, num, den, complete, n, above, below in _rows(
        wh, computed_name, params
    ):
        ind_id = computed.get((str(kind), str(service_type)))
        if ind_id is not None:
            # a territory only partly built: no figure, and the reason
            note = None if complete else NOTE_INCOMPLETE
            out[ind_id] = Standing(
                _finite(v), False, _finite(num), _finite(den), note, int(n), int(above), int(below)
            )
    return out
