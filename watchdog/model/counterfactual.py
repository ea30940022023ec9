"""What would move a person up: `counterfactual(regime, person, target_band=None)`.

It looks for the smallest realistic set of changes, made only to inputs a person can act on,
that reaches the next band up (or `target_band`):

- weighted score: raise actionable dimensions in steps of 0.05 of standing. The search is exact:
  the fewest steps that reach the band under every weight variant, then the fewest dimensions
  touched. Dimensions marked not actionable (FICO's length of history) are never changed.
- points ledger: add actionable events (rewards), largest first, up to each rule's realistic
  count; with one constraint and unit costs this greedy choice is also the fewest events. Events
  already on a record are never removed, a grade set directly by a rule is not lifted by points,
  and a reward nobody can plan (Rongcheng's heroic act) is never proposed.
- as described: one change at a time (a post or purchase fewer or more, a contact dropped),
  always the one that raises the score most (`watchdog.model.described_search`). This is the
  behaviour the articles say the system pushes people to; it is a greedy search, so occasionally
  not the very fewest changes, but it says "unreachable" only when nothing reaches the band.

A perk counts as gained only when every weight set (or recorded amount) grants it after the
changes; one granted under some only is listed in `perks_depending`. `range_after` gives the
score under each weight set after the changes: where there are several, the target band is
reached under every one of them, and `range_after.low` is the score under the harshest.

`listing_exit` (how a court listing ends) lives in `watchdog.model.listing_exit` and is imported
here too.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from watchdog.model.described_search import DescribedPlan, search_described

# listing_exit lives in its own module; importing it from here keeps older callers working.
from watchdog.model.listing_exit import ExitRoute, ListingExit, listing_exit
from watchdog.model.schema import Evidence
from watchdog.model.score import Frozen, ScoreResult, ScoreSpan, score, tidy
from watchdog.model.scoring_schema import (
    Band,
    DescribedRegime,
    LedgerRegime,
    ScoringRegime,
    WeightedRegime,
    in_force,
)

__all__ = ["STEP", "Change", "Counterfactual", "ExitRoute", "ListingExit", "counterfactual", "listing_exit",
           "next_band", "worst_band"]

STEP = Decimal("0.05")
HALF = Decimal("0.5")
# Added to the exact score a plan must reach when a plan computed with the search's formula falls
# short under score()'s own summation by a last-digit rounding difference.
NUDGE = Decimal("1e-20")


class Change(Frozen):
    input: str                  # e.g. "dimensions.payment_history", "events.heroic_act", "contacts.a"
    label: str
    before: Decimal | None
    after: Decimal | None
    how: str | None = None
    source: str | None = None
    evidence: Evidence | None = None


class Counterfactual(Frozen):
    regime_id: str
    score_before: int
    band_before: str | None
    target_band: str | None
    reachable: bool
    changes: list[Change]
    score_after: int | None
    band_after: str | None
    perks_gained: list[str]           # perk ids granted after the changes (under every weight set) and not before
    restrictions_lifted: list[str]    # restriction ids that applied before and not after
    reason: str
    # Perk ids that do not apply now and would after the changes under some weight sets or
    # recorded amounts but not all: never counted as gained.
    perks_depending: list[str] = []
    # The score under every weight set (or recorded amount) after the changes; `score_after` is
    # the one under the weight set the result is shown for.
    range_after: ScoreSpan | None = None


def counterfactual(regime: ScoringRegime, person: Mapping[str, Any],
                   target_band: str | None = None) -> Counterfactual:
    """The smallest realistic set of changes that reaches the next band up (or `target_band`)."""
    now = score(regime, person)
    target = _target(regime, now, target_band)

    def out(reachable: bool, reason: str, changes: list[Change] | None = None,
            after: ScoreResult | None = None) -> Counterfactual:
        had = {g.id for g in (*now.perks, *now.restrictions) if g.applies}
        return Counterfactual(
            regime_id=regime.id, score_before=now.score, band_before=now.grade,
            target_band=target.id if target else None, reachable=reachable, changes=changes or [],
            score_after=after.score if after else None, band_after=after.grade if after else None,
            range_after=after.range if after else None,
            perks_gained=[g.id for g in after.perks if g.applies and g.id not in had] if after else [],
            restrictions_lifted=[g.id for g in after.restrictions if g.id in had and g.applies is False]
            if after else [],
            perks_depending=[g.id for g in after.perks if g.depends_on and g.id not in had
                             and not any(n.id == g.id and n.depends_on for n in now.perks)] if after else [],
            reason=reason)

    if target is None:
        why = "no bands are documented" if not regime.bands else "already in the top band"
        return out(False, why)
    if target.min is None or (regime.range is not None and target.min > regime.range.max):
        return out(False, f"band {target.id} has no reachable lower bound")
    if now.direct_grade is not None:
        return out(False, f"grade {now.direct_grade.band} was set directly by '{now.direct_grade.rule}'; "
                          "points do not lift it, and how such a grade is lifted is not documented")
    if isinstance(regime, WeightedRegime):
        found = _weighted(regime, person, now, target.min)
    elif isinstance(regime, LedgerRegime):
        found = _ledger(regime, person, now, target.min)
    else:
        found = _described(regime, person, target.min)
    if found is None:
        return out(False, _unreachable(regime, now, target))
    new_person, changes = found
    after = score(regime, new_person)
    # Reached when every weight set (or recorded amount) puts the person in the target band or
    # better: points alone are not enough where a condition (a new firm's M) decides the grade.
    reached = (after.direct_grade is None and after.range.low >= target.min
               and _rank(regime, worst_band(regime, after)) <= regime.band_rank(target.id))
    if reached:
        what = f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
        return out(True, f"{what} reach {target.id}", changes, after)
    held = worst_band(regime, after)
    band = regime.band(held) if held else None
    if band is not None and band.requires:
        return out(False, f"grade {held} applies while {', '.join(band.requires)} holds, whatever "
                          f"the points; no change a person can make here reaches {target.id}")
    return out(False, "the changes fall short", changes, after)


def worst_band(regime: ScoringRegime, result: ScoreResult) -> str | None:
    """The band the person is sure of: the worse of the band shown and the band at the low end
    of the range over weight sets or recorded amounts."""
    shown, low = result.grade, result.range.low_band
    if shown is None or low is None:
        return low or shown
    return low if regime.band_rank(low) > regime.band_rank(shown) else shown


def _rank(regime: ScoringRegime, band_id: str | None) -> int:
    return regime.band_rank(band_id) if band_id else len(regime.bands)


def _unreachable(regime: ScoringRegime, now: ScoreResult, target: Band) -> str:
    if isinstance(regime, LedgerRegime):
        rewards = [r for r in regime.rules if (r.points or 0) > 0 and in_force(r, now.as_of)]
        if rewards and not any(r.actionable for r in rewards):
            return (f"no documented way to add points is something a person can plan "
                    f"({', '.join(r.label.en for r in rewards)}), so no change reaches {target.id}")
    return f"no combination of changes a person can make reaches {target.id}"


def next_band(regime: ScoringRegime, current: str | None) -> Band | None:
    """The nearest better band with a lower bound, skipping conditional grades."""
    rank = regime.band_rank(current) if current else len(regime.bands)
    better = [b for b in regime.bands[:rank] if not b.conditional and b.min is not None]
    return better[-1] if better else None


def _target(regime: ScoringRegime, now: ScoreResult, wanted: str | None) -> Band | None:
    if wanted is None:
        # From the band every weight set agrees on at least: where they disagree the way up
        # aims at the next band under all of them, not only under the first.
        return next_band(regime, worst_band(regime, now))
    if wanted not in {b.id for b in regime.bands}:
        raise ValueError(f"target band '{wanted}' is not a band of {regime.id}")
    return regime.band(wanted)


def _weighted(regime: WeightedRegime, person: Mapping[str, Any], now: ScoreResult, goal: int
              ) -> tuple[dict[str, Any], list[Change]] | None:
    dims = dict(person["dimensions"])
    values = {d: Decimal(str(v)) for d, v in dims.items()}
    lo, span = Decimal(regime.range.min), Decimal(regime.range.max - regime.range.min)
    variants = [v.weights for v in regime.variants_in_force(now.as_of)]
    if regime.weights_unknown:
        variants += [{d: Decimal(int(d == only)) for d in values} for only in values]
    # Rounding half up: whole >= goal exactly when the exact score >= goal - 0.5.
    needs = [goal - Decimal("0.5") - (lo + span * sum(w[d] * x for d, x in values.items())) for w in variants]
    table = {}
    for dim in regime.dimensions:
        if dim.actionable and values[dim.id] < 1:
            steps = math.ceil((1 - values[dim.id]) / STEP)
            table[dim.id] = [tuple(span * w[dim.id] * (min(Decimal(1), values[dim.id] + k * STEP) - values[dim.id])
                                   for w in variants) for k in range(steps + 1)]
    frontier: dict[int, list[tuple[tuple[Decimal, ...], tuple[tuple[str, int], ...]]]] = {
        0: [(tuple(Decimal(0) for _ in variants), ())]}
    for name, gains in table.items():
        grown: dict[int, list[tuple[tuple[Decimal, ...], tuple[tuple[str, int], ...]]]] = defaultdict(list)
        for used, entries in frontier.items():
            for total, alloc in entries:
                for k, gain in enumerate(gains):
                    grown[used + k].append((tuple(a + b for a, b in zip(total, gain, strict=True)),
                                            alloc + ((name, k),) if k else alloc))
        frontier = {used: _pareto(entries) for used, entries in grown.items()}
    for used in sorted(frontier):
        fits = [(len(alloc), -min(g - n for g, n in zip(total, needs, strict=True)), alloc)
                for total, alloc in frontier[used] if all(g >= n for g, n in zip(total, needs, strict=True))]
        if fits:
            alloc = min(fits)[2]
            changes = []
            for name, k in alloc:
                dims[name] = float(min(Decimal(1), values[name] + k * STEP))
                dim = next(d for d in regime.dimensions if d.id == name)
                changes.append(Change(input=f"dimensions.{name}", label=dim.label.en, before=values[name],
                                      after=Decimal(str(dims[name])), how=dim.how, source=dim.source,
                                      evidence=dim.evidence))
            return {**person, "dimensions": dims}, changes
    return None


def _pareto(entries: list[tuple[tuple[Decimal, ...], tuple[tuple[str, int], ...]]]
            ) -> list[tuple[tuple[Decimal, ...], tuple[tuple[str, int], ...]]]:
    """Drop every allocation another beats on all variants while touching no more dimensions."""
    kept: list[tuple[tuple[Decimal, ...], tuple[tuple[str, int], ...]]] = []
    for total, alloc in sorted(entries, key=lambda e: (len(e[1]), [-g for g in e[0]])):
        if not any(len(a) <= len(alloc) and all(x >= y for x, y in zip(t, total, strict=True))
                   for t, a in kept):
            kept.append((total, alloc))
    return kept


def _ledger(regime: LedgerRegime, person: Mapping[str, Any], now: ScoreResult, goal: int
            ) -> tuple[dict[str, Any], list[Change]] | None:
    need = goal - now.range.low   # enough even where a recorded amount is at its most severe
    given: dict[str, int] = defaultdict(int)
    for event in person.get("events", []):
        given[event["code"]] += event.get("count", 1)
    events = list(person.get("events", []))
    changes = []
    rewards = [r for r in regime.rules if r.actionable and (r.points or 0) > 0 and in_force(r, now.as_of)]
    for rule in sorted(rewards, key=lambda r: -(r.points or 0)):
        if need <= 0:
            break
        room = (rule.realistic_max_count or 0) - given[rule.id]
        take = min(room, math.ceil(need / (rule.points or 1)))
        if take <= 0:
            continue
        need -= take * (rule.points or 0)
        events.append({"code": rule.id, "count": take})
        changes.append(Change(input=f"events.{rule.id}", label=rule.label.en, before=Decimal(given[rule.id]),
                              after=Decimal(given[rule.id] + take), source=rule.source, evidence=rule.evidence))
    if need > 0:
        return None
    return {**person, "events": events}, changes


def _described(regime: DescribedRegime, person: Mapping[str, Any], goal: int
               ) -> tuple[dict[str, Any], list[Change]] | None:
    """The greedy plan of `described_search`, written as a person and a list of changes.

    The search works with a formula; score() sums the contacts' pulls one by one, so on the very
    edge of a band the two can differ in the last digit: then the search runs again a hair higher.
    """
    found: tuple[dict[str, Any], list[Change]] | None = None
    for nudge in (Decimal(0), NUDGE):
        plan = search_described(regime, person, goal - HALF + nudge)
        if plan is None:
            return None
        found = _described_person(regime, person, plan)
        if score(regime, found[0]).score >= goal:
            break
    return found


def _described_person(regime: DescribedRegime, person: Mapping[str, Any], plan: DescribedPlan
                      ) -> tuple[dict[str, Any], list[Change]]:
    signals = dict(person.get("signals", {}))
    changes = []
    for s in regime.signals:
        old, new = plan.start[s.id], plan.values[s.id]
        if old != new:
            signals[s.id] = int(new) if new == new.to_integral_value() else float(new)
            changes.append(Change(input=f"signals.{s.id}", label=s.label.en, before=old, after=new,
                                  source=s.source, evidence=s.evidence))
    contacts = list(person.get("contacts", []))
    kept = [Decimal(str(c["score"])) for c in contacts]
    total, k, gone_so_far = sum(kept, Decimal(0)), len(kept), []
    for i in plan.dropped:
        # Each drop is judged among the contacts still kept: a contact can lift the score with
        # the others there and drag it once a lower one is gone, so say which.
        mean = total / k
        after_whom = f" once {', '.join(gone_so_far)} {'is' if len(gone_so_far) == 1 else 'are'} dropped" \
            if gone_so_far else ""
        if kept[i] < mean:
            how = (f"{contacts[i]['id']} ({tidy(kept[i])}) is below the mean of your contacts{after_whom} "
                   f"({tidy(mean.quantize(Decimal('0.01')))}), so without them your score rises")
        else:   # the contacts left all score the same, below your own score: they all go
            how = (f"the contacts left{after_whom} all score {tidy(kept[i])}, below your own score, "
                   "so without them your score rises")
        changes.append(Change(input=f"contacts.{contacts[i]['id']}", label=f"Drop contact {contacts[i]['id']}",
                              before=Decimal(str(contacts[i]["score"])), after=None, how=how,
                              source=regime.network.source if regime.network else None,
                              evidence=regime.network.evidence if regime.network else None))
        total, k = total - kept[i], k - 1
        gone_so_far.append(str(contacts[i]["id"]))
    gone = set(plan.dropped)
    return {**person, "signals": signals, "contacts": [c for i, c in enumerate(contacts) if i not in gone]}, changes
