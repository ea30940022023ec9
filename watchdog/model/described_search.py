"""The way up under a system as described (`as_described`): `search_described(regime, person, need)`.

The articles say the system pushes people to change one thing at a time, whichever raises the
score most: a post or a purchase fewer or more, a contact dropped. The search does that greedily,
with the gains worked out from the formula

    exact = held + alpha * (mean of the contacts kept - held),  held = own score clamped to the range

(just `held` with no contacts), never by rescoring the person for each candidate, so a list of
thousands of contacts costs a sort, not a rescoring per contact per step.

- Each step is ranked by its gain in the exact score, then by its gain in the own score before it
  is held up at the range's minimum: a person whose own score is held at the floor gains nothing
  visible from one post fewer, but each one shrinks what is held back, and enough of them do show.
  Ties go to a behaviour already being changed (fewer things to change), then to the one with the
  most to give.
- A run of the same step (a post fewer, again and again) is taken in one go up to where its gain
  changes: the clamp's edge, the goal, or the last unit. So a count of 100,000 posts is a few runs.
- Dropping a contact is worth it while that contact is below the mean of those kept; the lowest
  goes first. When every contact kept has the same score, dropping one changes nothing, so
  dropping all of them is offered as one move (worth it when they pull the score down).

The search stops only when no step raises the score. At that point every behaviour a person can
change is at its best and the contacts kept are the best set there is, so "unreachable" is exact;
a plan it finds is greedy, so occasionally not the very fewest changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from watchdog.model.person import read_person
from watchdog.model.scoring_schema import DescribedRegime, DescribedSignal


@dataclass
class DescribedPlan:
    """Where the search is: the own score before clamping, each signal's value, the contacts kept."""

    own: Decimal
    start: dict[str, Decimal]          # each signal's value before any change
    values: dict[str, Decimal]         # each signal's value now
    kept: list[tuple[Decimal, int]]    # (score, index in the person's contact list), lowest first
    total: Decimal                     # sum of the kept contacts' scores
    dropped: list[int] = field(default_factory=list)   # indices, in the order dropped


def search_described(regime: DescribedRegime, person: Mapping[str, Any], need: Decimal) -> DescribedPlan | None:
    """Changes that bring the exact score to `need` or more; None if no change a person can make does."""
    p = read_person(regime, person)
    base = p.base if p.base is not None else Decimal(regime.baseline.value)
    values = {s.id: p.signals.get(s.id, Decimal(0)) for s in regime.signals}
    own = base + sum((points(s, values[s.id]) for s in regime.signals), Decimal(0))
    kept = sorted((score, i) for i, (_, score) in enumerate(p.contacts))
    plan = DescribedPlan(own, dict(values), dict(values), kept, sum((s for s, _ in kept), Decimal(0)))
    alpha = regime.network.alpha.value if regime.network is not None else Decimal(0)
    search = _Search(regime, plan, alpha, need)
    return plan if search.run() else None


def points(s: DescribedSignal, value: Decimal) -> Decimal:
    """What a signal at `value` adds to the own score."""
    units = Decimal(int(value >= s.at_least)) if s.at_least is not None else value
    return units * s.points.per_unit


def best_value(s: DescribedSignal, value: Decimal) -> Decimal:
    """The value a person could bring a signal to that scores best (their own value if they cannot)."""
    if not s.actionable:
        return value
    if s.at_least is not None:
        if s.points.per_unit < 0 and value >= s.at_least:
            return max(s.at_least - 1, Decimal(0))
        if s.points.per_unit > 0 and value < s.at_least <= (s.realistic_max or 0):
            return s.at_least
        return value
    if s.points.per_unit < 0:
        return Decimal(0)
    return max(value, Decimal(s.realistic_max or 0))


def _one_step(s: DescribedSignal, value: Decimal) -> Decimal | None:
    """The value after one step towards the best value (a unit, or the whole way for a threshold)."""
    end = best_value(s, value)
    if end == value:
        return None
    if s.at_least is not None:
        return end
    return max(value - 1, end) if end < value else min(value + 1, end)


Key = tuple[Decimal, Decimal, bool, Decimal]


class _Search:
    def __init__(self, regime: DescribedRegime, plan: DescribedPlan, alpha: Decimal, need: Decimal) -> None:
        self.regime, self.plan, self.alpha, self.need = regime, plan, alpha, need
        self.low, self.high = Decimal(regime.range.min), Decimal(regime.range.max)

    def exact(self, own: Decimal, total: Decimal, k: int, *, floor: bool = True) -> Decimal:
        """The mixed score; with floor=False the own score is not held up at the minimum."""
        held = min(max(own, self.low) if floor else own, self.high)
        return held if k == 0 else held + self.alpha * (total / k - held)

    def gains(self, own: Decimal, total: Decimal, k: int, size: int = 1) -> tuple[Decimal, Decimal]:
        """(exact gain, gain before holding at the floor) of a move to (own, total, k), per change."""
        plan = self.plan
        kept = len(plan.kept)
        return ((self.exact(own, total, k) - self.exact(plan.own, plan.total, kept)) / size,
                (self.exact(own, total, k, floor=False) - self.exact(plan.own, plan.total, kept, floor=False)) / size)

    def run(self) -> bool:
        plan = self.plan
        while self.exact(plan.own, plan.total, len(plan.kept)) < self.need:
            best: tuple[Key, DescribedSignal | int] | None = None
            for s in self.regime.signals:
                step = _one_step(s, plan.values[s.id])
                if step is None:
                    continue
                value = plan.values[s.id]
                gain = self.gains(plan.own + points(s, step) - points(s, value), plan.total, len(plan.kept))
                room = points(s, best_value(s, value)) - points(s, value)
                key = (*gain, value != plan.start[s.id], room)
                if max(gain) > 0 and (best is None or key > best[0]):
                    best = (key, s)
            for size in self._drop_sizes():
                total = plan.total - sum((score for score, _ in plan.kept[:size]), Decimal(0))
                gain = self.gains(plan.own, total, len(plan.kept) - size, size)
                key = (*gain, False, Decimal(0))
                if max(gain) > 0 and (best is None or key > best[0]):
                    best = (key, size)
            if best is None:
                return False
            if isinstance(best[1], int):
                self._drop(best[1])
            else:
                self._run_of(best[1])
        return True

    def _drop_sizes(self) -> list[int]:
        kept = self.plan.kept
        if not kept:
            return []
        # All kept contacts at the same score: dropping one leaves the mean as it is.
        return [1, len(kept)] if len(kept) > 1 and kept[0][0] == kept[-1][0] else [1]

    def _drop(self, size: int) -> None:
        plan = self.plan
        plan.total -= sum((score for score, _ in plan.kept[:size]), Decimal(0))
        plan.dropped += [i for _, i in plan.kept[:size]]
        del plan.kept[:size]

    def _run_of(self, s: DescribedSignal) -> None:
        """Take steps of `s` for as long as each gains the same: to the clamp's edge, the goal, or the end."""
        plan = self.plan
        value, end = plan.values[s.id], best_value(s, plan.values[s.id])
        if s.at_least is not None:
            new = end
        else:
            per = abs(s.points.per_unit)
            steps = abs(end - value).to_integral_value(ROUND_CEILING)
            edge = self.low if plan.own < self.low else self.high
            steps = min(steps, max(Decimal(1), ((edge - plan.own) / per).to_integral_value(ROUND_CEILING)))
            if self.low <= plan.own < self.high:
                k = len(plan.kept)
                each = per * (1 - self.alpha if k else 1)
                short = self.need - self.exact(plan.own, plan.total, k)
                steps = min(steps, max(Decimal(1), (short / each).to_integral_value(ROUND_CEILING)))
            new = max(value - steps, end) if end < value else min(value + steps, end)
        plan.own += points(s, new) - points(s, value)
        plan.values[s.id] = new
