"""What would move a person up, and how a court listing ends.

`counterfactual(regime, person)` looks for the smallest realistic set of changes, made only to
inputs a person can act on, that reaches the next band up (or `target_band`):

- weighted score: raise actionable dimensions in steps of 0.05 of standing. The search is exact:
  the fewest steps that reach the band under every weight variant, then the fewest dimensions
  touched. Dimensions marked not actionable (FICO's length of history) are never changed.
- points ledger: add actionable events (rewards), largest first, up to each rule's realistic
  count; with one constraint and unit costs this greedy choice is also the fewest events. Events
  already on a record are never removed, and a grade set directly by a rule is not lifted by points.
- as described: one change at a time (a post or purchase fewer or more, a contact dropped),
  always the one that raises the score most. This is the behaviour the articles say the system
  pushes people to; it is a greedy search, so occasionally not the very fewest changes.

`listing_exit(regime, facts, as_of)` reads the court-list verdict and lists how the listing ends
(performance, the creditor's consent, the end of its term) and the grounds to contest it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from watchdog.model.facts import ListingFacts
from watchdog.model.listing import Verdict, verdict
from watchdog.model.schema import Evidence, ListRegime
from watchdog.model.score import Frozen, ScoreResult, score
from watchdog.model.scoring_schema import (
    Band,
    DescribedRegime,
    LedgerRegime,
    ScoringRegime,
    WeightedRegime,
    in_force,
)

STEP = Decimal("0.05")


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
    perks_gained: list[str]           # perk ids granted after the changes and not before
    restrictions_lifted: list[str]    # restriction ids that applied before and not after
    reason: str


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
            perks_gained=[g.id for g in after.perks if g.applies and g.id not in had] if after else [],
            restrictions_lifted=[g.id for g in after.restrictions if g.id in had and g.applies is False]
            if after else [],
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
        return out(False, f"no combination of changes a person can make reaches {target.id}")
    new_person, changes = found
    after = score(regime, new_person)
    reached = after.range.low >= target.min and after.direct_grade is None
    what = f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
    return out(reached, f"{what} reach {target.id}" if reached else "the changes fall short", changes, after)


def next_band(regime: ScoringRegime, current: str | None) -> Band | None:
    """The nearest better band with a lower bound, skipping conditional grades."""
    rank = regime.band_rank(current) if current else len(regime.bands)
    better = [b for b in regime.bands[:rank] if not b.conditional and b.min is not None]
    return better[-1] if better else None


def _target(regime: ScoringRegime, now: ScoreResult, wanted: str | None) -> Band | None:
    if wanted is None:
        return next_band(regime, now.grade)
    if wanted not in {b.id for b in regime.bands}:
        raise ValueError(f"target band '{wanted}' is not a band of {regime.id}")
    return regime.band(wanted)


def _weighted(regime: WeightedRegime, person: Mapping[str, Any], now: ScoreResult, goal: int
              ) -> tuple[dict[str, Any], list[Change]] | None:
    dims = dict(person["dimensions"])
    values = {d: Decimal(str(v)) for d, v in dims.items()}
    lo, span = Decimal(regime.range.min), Decimal(regime.range.max - regime.range.min)
    variants = [v.weights for v in regime.weight_variants if in_force(v, now.as_of)] or \
        [v.weights for v in regime.weight_variants]
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
    current: dict[str, Any] = {**person, "signals": dict(person.get("signals", {})),
                               "contacts": list(person.get("contacts", []))}
    start = dict(current["signals"])
    dropped: list[dict[str, Any]] = []
    for _ in range(200):
        result = score(regime, current)
        if result.score >= goal:
            return current, _described_changes(regime, start, current["signals"], dropped)
        best: tuple[int, dict[str, Any], dict[str, Any] | None] | None = None
        for option, contact in _moves(regime, current):
            gained = score(regime, option).score - result.score
            if gained > 0 and (best is None or gained > best[0]):
                best = (gained, option, contact)
        if best is None:
            return None
        current = best[1]
        if best[2] is not None:
            dropped.append(best[2])
    return None


def _moves(regime: DescribedRegime, person: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    moves: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    signals = person["signals"]
    for s in regime.signals:
        value = Decimal(str(signals.get(s.id, 0)))
        if not s.actionable:
            continue
        if s.points.per_unit < 0 and value > 0:
            lower = min(value - 1, s.at_least - 1) if s.at_least is not None else value - 1
            moves.append(({**person, "signals": {**signals, s.id: float(max(lower, Decimal(0)))}}, None))
        elif s.points.per_unit > 0 and value < (s.realistic_max or 0):
            moves.append(({**person, "signals": {**signals, s.id: float(value + 1)}}, None))
    for i, contact in enumerate(person["contacts"]):
        moves.append(({**person, "contacts": person["contacts"][:i] + person["contacts"][i + 1:]}, contact))
    return moves


def _described_changes(regime: DescribedRegime, before: dict[str, Any], after: dict[str, Any],
                       dropped: list[dict[str, Any]]) -> list[Change]:
    changes = []
    for s in regime.signals:
        old, new = Decimal(str(before.get(s.id, 0))), Decimal(str(after.get(s.id, 0)))
        if old != new:
            changes.append(Change(input=f"signals.{s.id}", label=s.label.en, before=old, after=new,
                                  source=s.source, evidence=s.evidence))
    for contact in dropped:
        changes.append(Change(input=f"contacts.{contact['id']}", label=f"Drop contact {contact['id']}",
                              before=Decimal(str(contact["score"])), after=None,
                              source=regime.network.source if regime.network else None,
                              evidence=regime.network.evidence if regime.network else None))
    return changes


class ExitRoute(Frozen):
    id: str
    kind: Literal["ends", "contest"]
    text: str
    applies: bool | None      # True: open to this listing now; None: depends on facts not known
    deadline: date | None     # the day the entry must be gone by, where the model can say
    source: str
    evidence: Evidence
    note: str | None = None
    # How the working days to `deadline` were counted (workdays.OFFICIAL_BASIS, or weekdays only
    # for years the official calendar does not cover); None for a date not counted in working days.
    deadline_basis: str | None = None


class ListingExit(Frozen):
    regime_id: str
    as_of: date
    court: str | None
    verdict: Verdict
    routes: list[ExitRoute]


def listing_exit(regime: ListRegime, facts: ListingFacts, as_of: date, **verdict_options: Any) -> ListingExit:
    """How a listing on the court list ends, and the grounds to contest it, with deadlines."""
    v = verdict(regime, facts, as_of, **verdict_options)
    rule, days = regime.removal, regime.removal.working_days
    routes: list[ExitRoute] = []
    fixed = v.fixed_term
    for trigger in rule.triggers:
        if fixed and trigger.listings == "without_term":
            continue  # Art. 10 para. 2: these grounds do not delete a listing with a term
        text, applies, deadline, note, basis = trigger.text.en, None, None, trigger.note, None
        if trigger.listings == "with_term" and not fixed:
            # Shown so the reader learns why no term ends this listing.
            applies = False
            note = regime.term.no_fixed_term_means.en if regime.term.no_fixed_term_means and v.grounds \
                else "no term can be worked out from the published record"
        elif trigger.id == "full_performance":
            text += f"; the court must then delete the entry within {days} working days"
            if facts.performed_date:
                applies, deadline, basis = True, v.removal_deadline, v.removal_deadline_basis
        elif trigger.id == "term_expiry":
            if v.term_end is None:
                note = "the term runs from publication: without the publication date its end is unknown"
            else:
                applies, deadline = v.past_term, v.term_removal_deadline
                basis = v.term_removal_deadline_basis
                note = f"the term ends on {v.term_end}; with the longest extension on {v.term_end_max}"
        routes.append(ExitRoute(id=trigger.id, kind="ends", text=text, applies=applies, deadline=deadline,
                                source=trigger.source, evidence=trigger.evidence, note=note,
                                deadline_basis=basis if deadline else None))
    if regime.term.early_removal is not None:
        early_note = None
        if fixed and facts.performed_date:
            early_note = (f"you performed on {facts.performed_date}: for a listing with a term the court may "
                          "delete it early, but is not obliged to before the term ends")
        routes.append(ExitRoute(id="early_removal", kind="ends", text=regime.term.early_removal.en, applies=None,
                                deadline=None, source=regime.term.source, evidence=regime.term.evidence,
                                note=early_note))
    cite = v.citations
    if not v.has_lawful_ground and "has_lawful_ground" in cite:
        routes.append(ExitRoute(id="no_lawful_ground", kind="contest", applies=True, deadline=None,
                                text="None of the lawful circumstances is recorded for this listing",
                                source=cite["has_lawful_ground"].source, evidence=cite["has_lawful_ground"].evidence))
    for eid, applies in [*((e, True) for e in v.exclusions), *((e, None) for e in v.possible_exclusions)]:
        exclusion = next(e for e in regime.exclusions if e.id == eid)
        routes.append(ExitRoute(id=f"excluded:{eid}", kind="contest", text=exclusion.label.en, applies=applies,
                                deadline=None, source=exclusion.source, evidence=exclusion.evidence))
    for flag, rid, text, deadline, basis in [
        (v.past_max_term, "past_longest_term", "The listing has outlasted even the longest extended term",
         v.term_end_max, None),
        (v.overdue_removal, "removal_overdue", "The debtor performed in full and the removal deadline has passed",
         v.removal_deadline, v.removal_deadline_basis),
    ]:
        if flag:
            routes.append(ExitRoute(id=rid, kind="contest", text=text, applies=True, deadline=deadline,
                                    source=rule.source, evidence=rule.evidence, deadline_basis=basis))
    return ListingExit(regime_id=regime.id, as_of=as_of, court=facts.court, verdict=v, routes=routes)
