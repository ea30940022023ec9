"""Pydantic models of the scoring regimes: `weighted_score`, `points_ledger` and `as_described`.

A list regime (the court list) lives in `schema.py`; these three kinds give a person a number and
a band. Every number carries `source` (a citation id) and `evidence`. Where a real score is not
linear, or where a number is our own modelling choice, the regime says so in `simplification`;
what the sources never tell us is written down in `unknowns`, each citing the source that
documents the gap (the one that publishes the part that is known, or says the rest is not).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from watchdog.model.schema import (
    CitationId,
    Dated,
    Evidence,
    ListRegime,
    LocatedError,
    PartialDate,
    Slug,
    Sourced,
    Strict,
    Text,
)

# Grades are written as the systems write them: AAA, B, M; score bands use plain words.
BandId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
Version = Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d{1,2}\.\d+$")]


class ScoreRange(Sourced):
    min: int
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max <= self.min:
            raise LocatedError("max", "max must be above min")
        return self


class Condition(Sourced):
    """A yes/no fact that a band, perk or restriction depends on (e.g. no bad record in 5 years)."""

    id: Slug
    label: Text


class Band(Sourced, Dated):
    """A score band or grade; `min` and `max` are inclusive whole points, None for open-ended."""

    id: BandId
    label: Text
    min: int | None = None
    max: int | None = None
    direct_grading_allowed: bool = False
    requires: tuple[Slug, ...] = ()   # conditions that must hold (a conditional grade such as M)
    forbids: tuple[Slug, ...] = ()    # conditions that must not hold

    @property
    def conditional(self) -> bool:
        return bool(self.requires or self.forbids)

    def holds(self, points: int) -> bool:
        return (self.min is None or points >= self.min) and (self.max is None or points <= self.max)


class Gate(Sourced, Dated):
    """A perk or a restriction, gated by a score threshold, by bands, or not documented at all."""

    id: Slug
    label: Text
    min_score: int | None = None
    max_score: int | None = None
    bands: tuple[BandId, ...] = ()
    requires: tuple[Slug, ...] = ()
    announced: PartialDate = None

    @property
    def documented(self) -> bool:
        return self.min_score is not None or self.max_score is not None or bool(self.bands)


class Response(Sourced):
    """What the operator or a document says about a claim."""

    stance: Literal["denies", "supports", "qualifies"]
    text: Text


class Claim(Sourced):
    """A claim made about a system, with the responses to it (the claimed-versus-documented rows)."""

    id: Slug
    text: Text
    responses: tuple[Response, ...] = ()


class Unknown(Strict):
    """Something the sources do not tell us; said out loud rather than guessed.

    A gap cites like a rule: the source that publishes the part that is known (or says the rest
    is not published) and its evidence grade, so a reader can check the gap is real. Not a
    `Sourced` rule: it states no number, so the rule tables and exports of rules leave it out.
    """

    topic: str = Field(min_length=1)
    text: str = Field(min_length=1)
    source: CitationId
    evidence: Evidence
    see_also: tuple[CitationId, ...] = ()


class VersionNote(Sourced, Dated):
    """A version of the rules; scoring after `valid_to` adds `text` to the result's notes. A
    `launch` version's `valid_from` is the day the system started: before it, it granted and
    restricted nothing."""

    id: Slug
    text: Text
    launch: bool = False


class AppliesTo(Sourced):
    text: Text


class ScoringRegimeBase(Strict):
    id: Slug
    version: Version
    jurisdiction: str
    title: Text
    summary: str = Field(min_length=1)
    operator: str = Field(min_length=1)
    applies_to: AppliesTo | None = None
    simplification: str | None = None
    range: ScoreRange | None = None
    bands: tuple[Band, ...] = ()          # best first
    conditions: tuple[Condition, ...] = ()
    perks: tuple[Gate, ...] = ()
    restrictions: tuple[Gate, ...] = ()
    claims: tuple[Claim, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    versions: tuple[VersionNote, ...] = ()

    @model_validator(mode="after")
    def _check_base(self) -> Self:
        _unique("bands", [b.id for b in self.bands])
        _unique("conditions", [c.id for c in self.conditions])
        _unique("perks", [g.id for g in self.perks])
        _unique("restrictions", [g.id for g in self.restrictions])
        _unique("claims", [c.id for c in self.claims])
        conditions = {c.id for c in self.conditions}
        bands = {b.id for b in self.bands}
        for i, band in enumerate(self.bands):
            for name in ("requires", "forbids"):
                for j, cid in enumerate(getattr(band, name)):
                    _require(cid in conditions, f"bands[{i}].{name}[{j}]", f"unknown condition '{cid}'")
            if self.range is not None:
                inside = all(v is None or self.range.min <= v <= self.range.max
                             for v in (band.min, band.max))
                _require(inside, f"bands[{i}]", "band lies outside the score range")
        for group in ("perks", "restrictions"):
            for i, gate in enumerate(getattr(self, group)):
                for j, bid in enumerate(gate.bands):
                    _require(bid in bands, f"{group}[{i}].bands[{j}]", f"unknown band '{bid}'")
                for j, cid in enumerate(gate.requires):
                    _require(cid in conditions, f"{group}[{i}].requires[{j}]", f"unknown condition '{cid}'")
        self._check_contiguous()
        return self

    def _check_contiguous(self) -> None:
        # Scores are whole points, so plain bands must follow each other without gap or overlap;
        # otherwise some score would have no band, or two.
        plain = [(i, b) for i, b in enumerate(self.bands) if not b.conditional]
        ordered = sorted(plain, key=lambda ib: -10**12 if ib[1].min is None else ib[1].min)
        for (_, low), (i, high) in zip(ordered, ordered[1:], strict=False):
            _require(low.max is not None and high.min == low.max + 1, f"bands[{i}].min",
                     f"band '{high.id}' must start at {None if low.max is None else low.max + 1}, "
                     f"right after band '{low.id}'")

    def band(self, band_id: str) -> Band:
        return next(b for b in self.bands if b.id == band_id)

    def band_rank(self, band_id: str) -> int:
        """0 for the best band; larger is worse."""
        return next(i for i, b in enumerate(self.bands) if b.id == band_id)


class Dimension(Sourced):
    id: Slug
    label: Text
    actionable: bool
    how: str | None = None   # what a person can do about it, or why they cannot


class WeightVariant(Sourced, Dated):
    id: Slug
    label: Text
    weights: dict[Slug, Decimal]


class WeightedRegime(ScoringRegimeBase):
    """Dimensions in [0, 1] weighted onto a range: score = min + (max - min) * sum(weight * value)."""

    kind: Literal["weighted_score"]
    range: ScoreRange
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    weight_variants: tuple[WeightVariant, ...] = Field(min_length=1)
    # True when no weights were ever published: the range then spans every possible weighting.
    weights_unknown: bool = False

    @model_validator(mode="after")
    def _check_weights(self) -> Self:
        names = [d.id for d in self.dimensions]
        _unique("dimensions", names)
        _unique("weight_variants", [v.id for v in self.weight_variants])
        for i, variant in enumerate(self.weight_variants):
            where = f"weight_variants[{i}].weights"
            _require(set(variant.weights) == set(names), where,
                     f"weights must name exactly the dimensions {', '.join(names)}")
            _require(all(w >= 0 for w in variant.weights.values()), where, "weights must not be negative")
            _require(sum(variant.weights.values()) == 1, where,
                     f"weights add up to {sum(variant.weights.values())}, not 1")
        return self

    def variants_in_force(self, day: date | None) -> list[WeightVariant]:
        """The weight sets in force on `day`, first the one a score is shown with; every set
        when none is dated to cover it."""
        return [v for v in self.weight_variants if in_force(v, day)] or list(self.weight_variants)


class Start(Sourced):
    points: int


class LedgerRule(Sourced, Dated):
    """One row of a points table: points per occurrence and/or a grade it sends a person straight to."""

    id: Slug
    label: Text
    sector: str | None = None
    points: int | None = None
    points_range: tuple[int, int] | None = None   # (most severe, least severe) when the table gives a span
    unit: str = "each time"
    direct_grade: BandId | None = None
    actionable: bool = False        # something a person can choose to do from now on
    realistic_max_count: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.points is None and self.direct_grade is None:
            raise LocatedError("points", "a rule needs points, a direct_grade, or both")
        if self.points_range is not None:
            low, high = self.points_range
            if self.points is None or not low <= self.points <= high:
                raise LocatedError("points_range", "points_range must contain points")
        if self.actionable and self.realistic_max_count is None:
            raise LocatedError("realistic_max_count", "an actionable rule needs realistic_max_count")
        return self


class NoBounds(Sourced):
    """Said by a ledger whose sources document no floor or ceiling: its figure is then the
    ledger's arithmetic, which can run past any number the system is known to show."""

    text: Text


class LedgerRegime(ScoringRegimeBase):
    """A starting balance, events that add or deduct points, rules that jump straight to a grade."""

    kind: Literal["points_ledger"]
    start: Start | None = None   # None: not documented, so the person gives their current points
    rules: tuple[LedgerRule, ...] = ()
    no_bounds: NoBounds | None = None   # required exactly when `range` is not documented

    @model_validator(mode="after")
    def _check_rules(self) -> Self:
        # Without a documented range nothing holds the points in, and inventing a floor would be
        # a false number: the file must say so, so the pages and the command can.
        _require(self.range is not None or self.no_bounds is not None, "no_bounds",
                 "a ledger without a documented range must say so in no_bounds")
        _require(self.range is None or self.no_bounds is None, "no_bounds",
                 "no_bounds contradicts the documented range")
        _unique("rules", [r.id for r in self.rules])
        for i, rule in enumerate(self.rules):
            if rule.direct_grade is not None:
                band = next((b for b in self.bands if b.id == rule.direct_grade), None)
                _require(band is not None, f"rules[{i}].direct_grade", f"unknown band '{rule.direct_grade}'")
                _require(band is not None and band.direct_grading_allowed, f"rules[{i}].direct_grade",
                         f"band '{rule.direct_grade}' does not allow direct grading")
        return self

    def rule(self, rule_id: str) -> LedgerRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class Magnitude(Sourced):
    per_unit: Decimal


class DescribedSignal(Sourced):
    """A behaviour the press said moves the score; `claim` is what was said, `points` our reading."""

    id: Slug
    label: Text
    unit: str
    points: Magnitude
    at_least: Decimal | None = None     # counts once, when the value reaches this
    max_value: Decimal | None = None
    actionable: bool = True
    realistic_max: int | None = Field(default=None, ge=0)   # for raising a rewarded behaviour
    claim: Text
    responses: tuple[Response, ...] = ()


class Baseline(Sourced):
    value: int


class Alpha(Sourced):
    value: Decimal = Field(ge=0, lt=1)


class NetworkEffect(Sourced):
    """Contacts' scores pull yours towards theirs: s = (1 - alpha) * own + alpha * mean(contacts)."""

    alpha: Alpha
    claim: Text
    responses: tuple[Response, ...] = ()


class DescribedRegime(ScoringRegimeBase):
    """A system as the press described it, modelled faithfully and graded as disputed."""

    kind: Literal["as_described"]
    range: ScoreRange
    baseline: Baseline
    signals: tuple[DescribedSignal, ...] = Field(min_length=1)
    network: NetworkEffect | None = None

    @model_validator(mode="after")
    def _check_signals(self) -> Self:
        _unique("signals", [s.id for s in self.signals])
        clash = {s.id for s in self.signals} & {c.id for c in self.conditions}
        _require(not clash, "signals", f"ids used by both a signal and a condition: {sorted(clash)}")
        _require(self.range.min <= self.baseline.value <= self.range.max, "baseline.value",
                 "baseline lies outside the score range")
        return self


ScoringRegime = WeightedRegime | LedgerRegime | DescribedRegime
Regime = ListRegime | ScoringRegime


def in_force(item: Dated, day: date | None) -> bool:
    return day is None or item.in_force(day)


def _unique(field: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        _require(item not in seen, f"{field}[{i}].id", f"duplicate id '{item}'")
        seen.add(item)


def _require(condition: bool, path: str, reason: str) -> None:
    if not condition:
        raise LocatedError(path, reason)

