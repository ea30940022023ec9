"""Scoring one person under one regime: `score(regime, person) -> ScoreResult`.

The result says the score (whole points, as the real systems show them), its band or grade, the
range over every weight variant or point span, each contribution with its citation and evidence
grade, the perks and restrictions it gates, and notes. A perk or restriction is settled only
when every score in the range agrees (`watchdog.model.gates`); otherwise it depends on the weight
set or the recorded amounts, and says so. A direct grade caps every score in the range. The contributions add up exactly to the
score: they are Decimals, each shown to four places, and a last `rounding` row carries whatever
rounding to whole points (and to four places) took away. In JSON (`model_dump(mode="json")`)
the Decimals are strings, so they stay exact; `watchdog score --json` writes them as numbers.

Where a weighted regime has several weight sets (or no published weights), no one of them is "the"
score: the range over them is the answer. `score` and `band` are then the reading under
`shown_for`, the weight set the contributions are computed with, and `range.by_variant` and
`range.bands` give every weight set's score and band by name.

The network effect is one contribution (alpha x (contacts' mean - own)); "who is affecting your
score" (`pulls`) says, for each contact, how the score would change without them.

The person is a plain dict, as the CLI and the self-check receive it; `watchdog.model.person`
documents and checks the input conventions. Bad input raises `ValueError` with one line saying where and what.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from watchdog.model.gates import GateOutcome, RangeGates
from watchdog.model.network import contact_pulls
from watchdog.model.person import Person, read_person
from watchdog.model.schema import Evidence, ListRegime, Sourced
from watchdog.model.scoring_schema import (
    Band,
    DescribedRegime,
    LedgerRegime,
    ScoringRegime,
    ScoringRegimeBase,
    WeightedRegime,
    in_force,
)

PLACES = Decimal("0.0001")
RowKind = Literal["start", "dimension", "event", "signal", "network", "clamp", "rounding"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contribution(Frozen):
    id: str
    label: str
    kind: RowKind
    value: Decimal
    count: Decimal | None = None       # events, signal units or amount, or a dimension's standing
    per_unit: Decimal | None = None    # points per event or unit, or a dimension's weight
    unit: str | None = None            # what `count` counts ("each month", "hours a day")
    # A threshold rule (a signal with `at_least`) gives `once` points when `count` reaches
    # `at_least`, whatever the count: it has no per_unit, so nobody multiplies count by it.
    at_least: Decimal | None = None
    once: Decimal | None = None
    source: str | None = None
    evidence: Evidence | None = None
    note: str | None = None


class BandInfo(Frozen):
    id: str
    label: str
    min: int | None
    max: int | None
    source: str
    evidence: Evidence


class DirectGrade(Frozen):
    rule: str
    band: str
    source: str
    evidence: Evidence


class ScoreSpan(Frozen):
    low: int
    high: int
    low_band: str | None
    high_band: str | None
    by_variant: dict[str, int]              # each weight set's (or reading's) score, by its id
    bands: dict[str, str | None] = {}       # each weight set's band, by its id


class ContactPull(Frozen):
    """Who is affecting your score: how the score would change if this contact were not there."""

    id: str
    score: Decimal
    pull: Decimal


class ScoreResult(Frozen):
    regime_id: str
    regime_version: str
    kind: str
    title: str
    as_of: date
    # The range comes first: where weight sets disagree it is the answer, not `score`.
    range: ScoreSpan
    # The weight set `score`, `band` and `contributions` are for, where there are several (or the
    # weights are unknown); None where one reading is all there is.
    shown_for: str | None
    score: int
    band: BandInfo | None
    direct_grade: DirectGrade | None
    contributions: list[Contribution]
    pulls: list[ContactPull]
    perks: list[GateOutcome]
    restrictions: list[GateOutcome]
    notes: list[str]
    simplification: str | None

    @property
    def grade(self) -> str | None:
        return self.band.id if self.band else None

    @property
    def several_weight_sets(self) -> bool:
        return self.shown_for is not None


def score(regime: ScoringRegime | ListRegime, person: Mapping[str, Any]) -> ScoreResult:
    """Score `person` (a dict in the input conventions) under `regime`."""
    if isinstance(regime, ListRegime):
        raise ValueError(f"{regime.id} is a list regime: use verdict() or listing_exit(), not score()")
    p = read_person(regime, person)
    notes: list[str] = []
    shown_for: str | None = None
    pulls: list[ContactPull] = []
    if isinstance(regime, WeightedRegime):
        rows, exact, by_variant = _weighted(regime, p, notes)
        variants = regime.variants_in_force(p.as_of)
        if len(variants) > 1 or regime.weights_unknown:
            shown_for = variants[0].id
    elif isinstance(regime, LedgerRegime):
        rows, exact, by_variant = _ledger(regime, p, notes)
        if regime.no_bounds is not None:
            notes.append(" ".join(regime.no_bounds.text.en.split()))
    else:
        rows, exact, by_variant, pulls = _described(regime, p)
    whole = round_half_up(exact)
    rows = _with_rounding(rows, whole)
    ruled = _direct_grade(regime, p) if isinstance(regime, LedgerRegime) else None

    def band_at(points: int) -> Band | None:
        # A direct grade caps every score in the range, not only the one shown.
        found = band_for(regime, points, p.facts, p.as_of)
        if ruled is not None and (found is None or regime.band_rank(ruled.band) > regime.band_rank(found.id)):
            return regime.band(ruled.band)
        return found

    band, direct = band_for(regime, whole, p.facts, p.as_of, notes), ruled
    if ruled is not None and (band is None or regime.band_rank(ruled.band) > regime.band_rank(band.id)):
        band = regime.band(ruled.band)
        notes.append(f"'{ruled.rule}' sets grade {ruled.band} whatever the points")
    else:
        direct = None  # the points grade is at least as bad: the rule did not decide the grade
    low, high = min(by_variant.values()), max(by_variant.values())
    for version in regime.versions:
        if version.valid_to is not None and p.as_of > version.valid_to:
            notes.append(version.text.en)
    gates = RangeGates(regime, p, whole, by_variant, band_at)
    perks = [gates.judge(g, "gets") for g in regime.perks]
    restrictions = [gates.judge(g, "is subject to") for g in regime.restrictions]
    started = min((v.valid_from for v in regime.versions if v.launch and v.valid_from),
                  default=None)
    if started is not None and p.as_of < started:
        # Before its first documented version the system scored nobody: nothing was granted.
        notes.append(f"{regime.title.en} started on {started}; on {p.as_of} it did not exist yet")
        why = f"not offered yet on {p.as_of}: the system started on {started}"
        perks = [g.model_copy(update={"applies": False, "reason": why, "depends_on": None})
                 for g in perks]
        restrictions = [g.model_copy(update={"applies": False, "reason": why, "depends_on": None})
                        for g in restrictions]
    return ScoreResult(
        regime_id=regime.id, regime_version=regime.version, kind=regime.kind,
        title=regime.title.en, as_of=p.as_of, score=whole,
        band=_band_info(band) if band else None, direct_grade=direct,
        range=ScoreSpan(low=low, high=high, by_variant=by_variant,
                        low_band=_id(band_at(low)), high_band=_id(band_at(high)),
                        bands={k: _id(band_at(v)) for k, v in by_variant.items()}),
        shown_for=shown_for, contributions=rows, pulls=pulls,
        perks=perks, restrictions=restrictions,
        notes=notes, simplification=regime.simplification,
    )


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros (30.0000 -> 30, 12.5000 -> 12.5) without switching to exponents, and
    the sign of a zero (0 x -30 is Decimal("-0"), which would print as "-0")."""
    if value == 0:
        return Decimal(0)
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value  # type: ignore[operator]


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def span_text(low: int, high: int) -> str:
    """A range of whole points as people read it: "920" when both ends agree, "677–707", or
    "-1000 to -950" where a dash between negative numbers would read as a minus."""
    if low == high:
        return str(low)
    return f"{low} to {high}" if low < 0 or high < 0 else f"{low}–{high}"


def band_for(regime: ScoringRegimeBase, points: int, facts: Mapping[str, bool], day: date,
             notes: list[str] | None = None) -> Band | None:
    """The band for whole `points`: a conditional band (such as tax grade M) first, if it holds."""
    for band in regime.bands:
        if not band.conditional or not in_force(band, day) or not band.holds(points):
            continue
        missing = [c for c in band.requires + band.forbids if c not in facts]
        if missing and notes is not None:
            notes.append(f"grade {band.id} depends on {', '.join(missing)}, not given")
        if all(facts.get(c) is True for c in band.requires) and \
                all(facts.get(c) is False for c in band.forbids):
            return band
    return next((b for b in regime.bands if not b.conditional and in_force(b, day) and b.holds(points)),
                None)


def _weighted(regime: WeightedRegime, p: Person, notes: list[str]
              ) -> tuple[list[Contribution], Decimal, dict[str, int]]:
    lo, span = Decimal(regime.range.min), Decimal(regime.range.max - regime.range.min)
    variants = regime.variants_in_force(p.as_of)
    primary = variants[0]
    rows = [_row("range_min", "Lowest possible score", "start", lo, regime.range)]
    for dim in regime.dimensions:
        weight, value = primary.weights[dim.id], p.dimensions[dim.id]
        rows.append(_row(dim.id, dim.label.en, "dimension", span * weight * value, primary,
                         count=value, per_unit=weight,
                         note=f"{span} x weight {weight} ({primary.id}) x standing {value}"))
    by_variant = {v.id: round_half_up(lo + span * sum(v.weights[d] * x for d, x in p.dimensions.items()))
                  for v in variants}
    if regime.weights_unknown:
        # Any weighting is possible, so the extremes are all weight on one dimension.
        by_variant |= {f"only_{d}": round_half_up(lo + span * x) for d, x in p.dimensions.items()}
        notes.append("no weights were published: the range spans every possible weighting")
    if len(variants) > 1:
        notes.append(f"no weight set is the score: the range covers {', '.join(v.id for v in variants)}; "
                     f"the contributions are shown for {primary.id} ({primary.label.en})")
    exact = lo + span * sum(primary.weights[d] * x for d, x in p.dimensions.items())
    return rows, exact, by_variant


def _ledger(regime: LedgerRegime, p: Person, notes: list[str]
            ) -> tuple[list[Contribution], Decimal, dict[str, int]]:
    if regime.start is not None:
        start = Decimal(regime.start.points)
        rows = [_row("start", "Starting points", "start", start, regime.start)]
    else:
        start = Decimal(p.start or 0)
        rows = [_row("start", "Current points (given by the person; the start is not documented)",
                     "start", start, None)]
    total, low, high = start, start, start
    for code, (count, chosen) in p.events.items():
        rule = regime.rule(code)
        assert rule is not None  # read_person checked the codes
        if not in_force(rule, p.as_of):
            notes.append(f"'{code}' was not in force on {p.as_of}; not counted")
            continue
        per = Decimal(chosen if chosen is not None else (rule.points or 0))
        value = per * count
        rows.append(_row(code, rule.label.en, "event", value, rule, count=Decimal(count), per_unit=per,
                         unit=rule.unit))
        total += value
        span = (per, per) if chosen is not None or rule.points_range is None else rule.points_range
        low, high = low + span[0] * count, high + span[1] * count
    clamped = _clamp(regime, total)
    if clamped != total:
        rows.append(_row("clamp", "Held within the score range", "clamp", clamped - total, regime.range))
    return rows, clamped, {"low": round_half_up(_clamp(regime, low)), "high": round_half_up(_clamp(regime, high))}


def _described(regime: DescribedRegime, p: Person
               ) -> tuple[list[Contribution], Decimal, dict[str, int], list[ContactPull]]:
    base = p.base if p.base is not None else Decimal(regime.baseline.value)
    rows = [_row("base", "Score before the described effects", "start", base,
                 regime.baseline if p.base is None else None)]
    own = base
    for signal in regime.signals:
        amount = p.signals.get(signal.id)
        if amount is None:
            continue
        note = f"points: {signal.points.source}, {signal.points.evidence}"
        if signal.at_least is not None:
            # A threshold: the points once at `at_least` or more, never amount x points.
            value = signal.points.per_unit if amount >= signal.at_least else Decimal(0)
            rows.append(_row(signal.id, signal.label.en, "signal", value, signal, count=amount,
                             unit=signal.unit, at_least=signal.at_least, once=signal.points.per_unit,
                             note=note))
        else:
            value = amount * signal.points.per_unit
            rows.append(_row(signal.id, signal.label.en, "signal", value, signal, count=amount,
                             per_unit=signal.points.per_unit, unit=signal.unit, note=note))
        own += value
    clamped = _clamp(regime, own)
    if clamped != own:
        rows.append(_row("clamp", "Held within the score range", "clamp", clamped - own, regime.range))
    exact = clamped
    pulls: list[ContactPull] = []
    if p.contacts and regime.network is not None:
        alpha = regime.network.alpha.value
        k = len(p.contacts)
        mean = sum((s for _, s in p.contacts), Decimal(0)) / k
        # One row for the whole effect: per-contact shares of it would not say what dropping a
        # contact does (a contact above your own score but below your contacts' mean pulls you
        # down), so the contacts are listed apart, each with their leave-one-out effect.
        effect = alpha * (mean - clamped)
        rows.append(_row("contacts", f"Your contacts' scores ({k} contact{'s' if k != 1 else ''}, "
                                     f"mean {tidy(mean.quantize(Decimal('0.01')))})", "network", effect,
                         regime.network, note=f"alpha {alpha} x (contacts' mean - own score): "
                                              f"{regime.network.alpha.source}"))
        exact += effect
        pulls = [ContactPull(id=x.id, score=x.score, pull=x.pull) for x in contact_pulls(clamped, p.contacts, alpha)]
    whole = round_half_up(exact)
    return rows, exact, {"as_described": whole}, pulls


def _direct_grade(regime: LedgerRegime, p: Person) -> DirectGrade | None:
    worst: DirectGrade | None = None
    for code, (count, _) in p.events.items():
        rule = regime.rule(code)
        if rule is None or rule.direct_grade is None or count <= 0 or not in_force(rule, p.as_of):
            continue
        if worst is None or regime.band_rank(rule.direct_grade) > regime.band_rank(worst.band):
            worst = DirectGrade(rule=rule.id, band=rule.direct_grade, source=rule.source,
                                evidence=rule.evidence)
    return worst


def _clamp(regime: ScoringRegimeBase, value: Decimal) -> Decimal:
    if regime.range is None:
        return value
    return min(max(value, Decimal(regime.range.min)), Decimal(regime.range.max))


def _row(rid: str, label: str, kind: RowKind, value: Decimal, rule: Sourced | None,
         count: Decimal | None = None, per_unit: Decimal | None = None,
         note: str | None = None, **extra: Any) -> Contribution:
    return Contribution(id=rid, label=label, kind=kind, value=tidy(value.quantize(PLACES, ROUND_HALF_EVEN)),
                        count=count, per_unit=per_unit, note=note or (rule.note if rule else None),
                        source=rule.source if rule else None, evidence=rule.evidence if rule else None,
                        **extra)


def _with_rounding(rows: list[Contribution], whole: int) -> list[Contribution]:
    rest = Decimal(whole) - sum((r.value for r in rows), Decimal(0))
    if rest == 0:
        return rows
    return [*rows, Contribution(id="rounding", label="Rounding to whole points", kind="rounding",
                                value=tidy(rest))]


def _band_info(band: Band) -> BandInfo:
    return BandInfo(id=band.id, label=band.label.en, min=band.min, max=band.max,
                    source=band.source, evidence=band.evidence)


def _id(band: Band | None) -> str | None:
    return band.id if band else None
