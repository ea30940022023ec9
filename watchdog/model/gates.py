"""Perks and restrictions: whether a gate holds at a score, and over a score's whole range.

`gate_outcome` judges one gate at one whole score and band (never before the date it was
announced, when the regime gives one). `RangeGates` judges it over every
score the range allows (each weight set's score, or every score between the ends of a span) and
says the gate depends on the weight set, or on the recorded amounts, when those disagree: a perk
is only promised when every reading of the rules grants it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict

from watchdog.model.person import Person
from watchdog.model.schema import Evidence
from watchdog.model.scoring_schema import (
    Band,
    Gate,
    LedgerRegime,
    ScoringRegime,
    WeightedRegime,
    in_force,
)


class GateOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    # None: not documented, depends on a fact not given, or differs across the range (`depends_on`)
    applies: bool | None
    reason: str
    announced: str | None
    source: str
    evidence: Evidence
    note: str | None = None
    # What the answer turns on when it differs across the range: "the weight set", "the
    # unpublished weights" or "the recorded amounts"; None when the range does not matter.
    depends_on: str | None = None



def gate_outcome(gate: Gate, points: int, band: Band | None, p: Person, verb: str,
                 score_text: str | None = None) -> GateOutcome:
    """Whether a perk is granted, or a restriction applies, at this score and band.

    `score_text` is how the reason names the score (default: `points`); a range settled over all
    its readings names the whole range, so no one reading reads as "the" score."""
    said = score_text or str(points)

    def out(applies: bool | None, reason: str) -> GateOutcome:
        return GateOutcome(id=gate.id, label=gate.label.en, applies=applies, reason=reason,
                           announced=gate.announced, source=gate.source, evidence=gate.evidence,
                           note=gate.note)

    if not in_force(gate, p.as_of):
        return out(False, f"not in force on {p.as_of}")
    if gate.announced and p.as_of < first_day(gate.announced):
        # Nothing was offered before it was announced; the month (or year) it was is all we know.
        return out(False, f"not offered yet on {p.as_of}: announced {gate.announced}")
    if not gate.documented:
        return out(None, "the score or grade it needs is not documented")
    if gate.min_score is not None and points < gate.min_score:
        return out(False, f"needs {gate.min_score} or more; the score is {said}")
    if gate.max_score is not None and points > gate.max_score:
        return out(False, f"only at {gate.max_score} or less; the score is {said}")
    if gate.bands and (band is None or band.id not in gate.bands):
        return out(False, f"only in {', '.join(gate.bands)}; the grade is {band.id if band else 'none'}")
    for cid in gate.requires:
        if cid not in p.facts:
            return out(None, f"also needs '{cid}', which was not given")
        if not p.facts[cid]:
            return out(False, f"also needs '{cid}', which does not hold")
    return out(True, f"the person {verb} it")


def first_day(partial: str) -> date:
    """The first day a partial ISO date (YYYY, YYYY-MM or YYYY-MM-DD) can mean."""
    parts = [int(x) for x in partial.split("-")]
    return date(parts[0], *(parts[1:] + [1, 1])[:2])


class RangeGates:
    """Gates judged over the whole range: settled only when every possible score agrees.

    A weight set gives one score, so a weighted score with known weight sets can only be one of
    `by_variant`. Where every whole score between the ends is possible (no weights published, or a
    recorded amount anywhere in a span) the answer can only change at a band or gate boundary, so
    the ends plus each boundary inside the range are enough to look at.
    """

    def __init__(self, regime: ScoringRegime, p: Person, whole: int, by_variant: dict[str, int],
                 band_at: Callable[[int], Band | None]) -> None:
        self.regime, self.p, self.whole, self.band_at = regime, p, whole, band_at
        self.low, self.high = min(by_variant.values()), max(by_variant.values())
        self.continuous = isinstance(regime, LedgerRegime) or \
            (isinstance(regime, WeightedRegime) and regime.weights_unknown)
        if isinstance(regime, LedgerRegime):
            self.what = "the recorded amounts"
        elif isinstance(regime, WeightedRegime) and regime.weights_unknown:
            self.what = "the unpublished weights"
        else:
            self.what = "the weight set"
        self.by_variant = by_variant

    def _points(self, gate: Gate) -> set[int]:
        points = {self.whole, *self.by_variant.values()}
        if self.continuous:
            edges = [gate.min_score, gate.max_score, *(e for b in self.regime.bands for e in (b.min, b.max))]
            for edge in (e for e in edges if e is not None):
                points |= {x for x in (edge - 1, edge, edge + 1) if self.low <= x <= self.high}
        return points

    def judge(self, gate: Gate, verb: str) -> GateOutcome:
        if self.low == self.high or not gate.documented or not in_force(gate, self.p.as_of):
            return gate_outcome(gate, self.whole, self.band_at(self.whole), self.p, verb)
        # Settled over the whole range: the reason names the range, not the one reading shown.
        span = f"{self.low} to {self.high}"
        here = gate_outcome(gate, self.whole, self.band_at(self.whole), self.p, verb, span)
        answers = {gate_outcome(gate, x, self.band_at(x), self.p, verb).applies for x in self._points(gate)}
        if len(answers) == 1:
            return here
        if self.continuous:
            scores = f"the score could be anywhere from {self.low} to {self.high}"
        else:
            scores = "the score is " + ", ".join(f"{v} with {k}" for k, v in self.by_variant.items())
        reason = f"depends on {self.what}: it {_condition(gate)}, and {scores}"
        return here.model_copy(update={"applies": None, "reason": reason, "depends_on": self.what})


def _condition(gate: Gate) -> str:
    """What a documented gate needs, in words."""
    parts = []
    if gate.min_score is not None:
        parts.append(f"needs {gate.min_score} or more")
    if gate.max_score is not None:
        parts.append(f"applies only at {gate.max_score} or less")
    if gate.bands:
        parts.append(f"needs grade {' or '.join(gate.bands)}")
    if gate.requires:
        parts.append(f"also needs {', '.join(repr(c) for c in gate.requires)}")
    return " and ".join(parts)
