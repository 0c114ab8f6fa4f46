"""What a reader must know next to a figure: why a value is blank, whether a public
service commitment is met, and how commune values were computed. Pure: texts only.

* Blank values: the warehouse's ``indicator_values.note`` (French, written by
  ``indicators.step``) is long; the legend and the portrait show a short tag
  (``"source partielle"``) with the full note as a ``title``, the map tooltip and
  the table twin the full note.
* Commitments (indicators with ``target_max``): met when the value, as published
  (rounded to the indicator's decimals, the figure the reader sees), is at most
  the target; the margin or the excess is said in points for a share.
* One population point per commune (``build_info.population_points = 'mairie'``):
  each commune's inhabitants sit at its town hall, so its share is 0 % or 100 %.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final

from dashboards.formatting import MISSING_TEXT, NBSP, integer, number, with_unit
from dashboards.queries import POINTS_TOWN_HALL, Indicator
from indicators.step_context import (
    NOTE_INCOMPLETE,
    NOTES,
    REASON_DEMAND,
    REASON_OUT,
    REASON_PARTIAL,
    REASON_ZONE,
)

# Short tags of the notes written by indicators.step (matched on the text before
# the first ``{field}`` of each template, so the named sources may vary).
_TAGS: Final = (
    (NOTES[REASON_PARTIAL], "source partielle"),
    (NOTES[REASON_OUT], "source absente sur ce territoire"),
    (NOTES[REASON_ZONE], "équipement possiblement hors de la zone chargée"),
    (NOTES[REASON_DEMAND], "demande partiellement chargée"),
    (NOTE_INCOMPLETE, "territoire partiellement construit"),
)
_TAG_MAX = 60
_MAX_REASONS = 3  # reasons named in the legend; the others are "autres raisons"
NO_REASON = "raison non indiquée"


def note_tag(note: str) -> str:
    """A few words for a blank value's note: ``'source partielle'``. Unknown notes
    give their first clause after ``':'`` (``'aucun équipement accessible sur
    l'île'``), cut at about 60 characters."""
    text = " ".join(note.split())
    for template, tag in _TAGS:
        if text.startswith(template.split("{", 1)[0].strip()):
            return tag
    head, sep, rest = text.partition(" : ")
    clause = rest if sep else head
    clause = re.split(r"\s\(|\.\s|\.$|;", clause, maxsplit=1)[0].strip()
    if len(clause) > _TAG_MAX:
        clause = clause[:_TAG_MAX].rsplit(" ", 1)[0] + "…"
    return clause or NO_REASON


def missing_text(note: str | None) -> str:
    """``'non disponible : source partielle'`` (``'non disponible'`` without a note)."""
    return f"{MISSING_TEXT} : {note_tag(note)}" if note else MISSING_TEXT


def distinct_notes(notes: Iterable[str | None]) -> tuple[str, ...]:
    """The distinct non-empty notes, in order of first appearance."""
    return tuple(dict.fromkeys(n for n in notes if n))


def reasons_line(notes: Sequence[str | None]) -> str:
    """Why the blank values of a map are blank, for the legend: ``'raison : source
    partielle'`` or ``'raisons : source partielle (100), territoire partiellement
    construit (3), raison non indiquée (2)'`` (the most frequent first, at most three
    named). ``notes`` holds one entry per blank value (None: no note); ``''`` when
    none has a note."""
    if not any(notes):
        return ""
    counts = Counter(note_tag(n) if n else NO_REASON for n in notes)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == NO_REASON, kv[0]))
    if len(ranked) == 1:
        return f"raison : {ranked[0][0]}"
    shown = [f"{tag} ({integer(n)})" for tag, n in ranked[:_MAX_REASONS]]
    rest = sum(n for _, n in ranked[_MAX_REASONS:])
    if rest:
        shown.append(f"autres raisons ({integer(rest)})")
    return "raisons : " + ", ".join(shown)


# --- commitments ------------------------------------------------------------------

# Said of a commitment whose rule binds départements only (stored ``binding_level``;
# La Poste's presence rule, loi n° 90-568, art. 6, III; indicators/commitments.py).
DEPARTEMENT_RULE = "la règle s'apprécie au niveau du département"


def is_commitment(ind: Indicator) -> bool:
    return ind.target_max is not None


def departement_rule(ind: Indicator) -> bool:
    """Whether the commitment binds départements only (La Poste's presence rule),
    from the indicator's stored ``binding_level``."""
    return ind.binding_level == "departement"


def _amount(gap: float, unit: str, decimals: int) -> str:
    """A gap to the target: ``'3,2 points'``, ``'0,5 point'``, ``'4 min'``."""
    text = number(gap, decimals)
    if unit == "%":  # a difference of shares is in points; French plural from 2
        return f"{text}{NBSP}{'point' if round(gap, decimals) < 2 else 'points'}"
    return f"{text}{NBSP}{unit}" if unit else text


def commitment_met(value: float, ind: Indicator) -> bool:
    """Met when the published value (rounded to the indicator's decimals) is at most
    the target (``ind.target_max`` must be set)."""
    if ind.target_max is None:
        raise ValueError(f"{ind.id} n'est pas un engagement")
    return round(value, ind.decimals) <= ind.target_max


def commitment_status(value: float | None, ind: Indicator) -> str:
    """``'Engagement tenu (marge : 3,2 points)'``, ``'Engagement non tenu
    (dépassement : 4,1 points)'``, ``'Engagement tenu (personne au-delà)'`` for a
    target of 0; ``''`` for a blank value or a non-commitment."""
    if value is None or ind.target_max is None:
        return ""
    gap = abs(ind.target_max - round(value, ind.decimals))
    amount = _amount(gap, ind.unit, ind.decimals)
    if commitment_met(value, ind):
        if ind.target_max == 0:  # a margin of zero says nothing
            return "Engagement tenu (personne au-delà)"
        return f"Engagement tenu (marge : {amount})"
    return f"Engagement non tenu (dépassement : {amount})"


def commitment_goal(ind: Indicator) -> str:
    """The target in short: ``'au plus 10 %'``, ``'0 % (personne au-delà)'``."""
    target = ind.target_max
    if target is None:
        return ""
    shown = with_unit(target, ind.unit, 0 if float(target).is_integer() else ind.decimals)
    return f"{shown} (personne au-delà)" if target == 0 else f"au plus {shown}"


def commitment_target(ind: Indicator) -> str:
    """The rule in words: ``'la part est d'au plus 10 %'``, ``'la part est de 0 %
    (personne au-delà)'``; ``''`` for a non-commitment."""
    if ind.target_max is None:
        return ""
    what = "la part" if ind.unit == "%" else "la valeur"
    goal = commitment_goal(ind)
    return f"{what} est de {goal}" if ind.target_max == 0 else f"{what} est d'{goal}"


def commitment_legend(ind: Indicator, values: Iterable[float | None], level: str) -> str:
    """What the commitment is and how many territories meet it, for the legend:
    ``'Engagement tenu quand la part est d'au plus 10 % : tenu par 16, non tenu par
    0. La règle s'apprécie au niveau du département ; les autres niveaux sont donnés
    pour information.'``"""
    if ind.target_max is None:
        return ""
    given = [v for v in values if v is not None]
    met = sum(commitment_met(v, ind) for v in given)
    text = (
        f"Engagement tenu quand {commitment_target(ind)} : "
        f"tenu par {integer(met)}, non tenu par {integer(len(given) - met)}."
    )
    if departement_rule(ind) and level != "departement":
        text += (
            f" {DEPARTEMENT_RULE.capitalize()} ; les autres niveaux sont donnés pour information."
        )
    return text


# --- one population point per commune ------------------------------------------------

# Themes whose values come from the population points (travel times of each point);
# base figures, ESS counts and fracture indices do not.
POINT_THEMES: Final = frozenset({"access", "third_places", "mobility", "commitments"})
ONE_POINT_NOTE = "Valeurs communales calculées sur un seul point par commune (la mairie)"
ONE_POINT_TIP = "Calculé sur un seul point (la mairie)"


def one_point(ind: Indicator, level: str, points_kind: str) -> bool:
    """Whether the values read are commune values computed on one point each."""
    return (
        level == "commune"
        and points_kind == POINTS_TOWN_HALL
        and not ind.computed_here
        and ind.theme in POINT_THEMES
    )


ONE_POINT_COMMUNE = (
    "Valeurs de cette commune calculées sur un seul point (la mairie) : ses parts de "
    f"population sont de 0{NBSP}% ou de 100{NBSP}%, ses temps ceux de la mairie."
)


def one_point_note(ind: Indicator) -> str:
    """The note under the legend (and in a commune's portrait) when :func:`one_point`."""
    if ind.unit == "%":
        return f"{ONE_POINT_NOTE} : une commune est à 0{NBSP}% ou à 100{NBSP}%."
    return f"{ONE_POINT_NOTE} : tous les habitants d'une commune ont la valeur de sa mairie."
