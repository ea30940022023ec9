"""Pydantic models of `data/citations.yaml` and of a list regime file in `data/regimes/`.

Every rule carries `source` (a citation id) and `evidence` (how sure we are of it). Citation ids
are checked against the citations file when the loader passes their set in the validation
context under `CITATION_IDS`; models built without that context skip the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from watchdog.model.facts import STATUTORY_FIELDS, PartyType
from watchdog.model.phrases import normalise_phrase

CITATION_IDS = "citation_ids"


class Evidence(StrEnum):
    """How sure we are of a rule (the [V]/[S]/[M]/[D]/[L] tags of the research notes)."""

    VERIFIED = "verified"
    SECONDARY = "secondary"
    MEMORY = "memory"
    DISPUTED = "disputed"
    LOW = "low"


class LocatedError(ValueError):
    """A cross-reference error that knows where in the file it is (relative to the model)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


def _known_citation(value: str, info: ValidationInfo) -> str:
    known = (info.context or {}).get(CITATION_IDS)
    if known is not None and value not in known:
        raise ValueError(f"unknown citation id '{value}' (not in the citations file)")
    return value


def _iso_date_text(value: object) -> object:
    # YAML turns an unquoted 2016-01-28 into a date; citations keep dates as text because some
    # are known only to the year or month.
    return value.isoformat() if isinstance(value, date) else value


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
CitationId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$"),
                       AfterValidator(_known_citation)]
PartialDate = Annotated[
    Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] | None,
    BeforeValidator(_iso_date_text),
]
FieldId = Literal[STATUTORY_FIELDS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    en: str = Field(min_length=1)
    zh: str | None = None


class Citation(Strict):
    """One entry of data/citations.yaml."""

    title: str = Field(min_length=1)
    url: str | None = None
    seed: str | None = None
    code_index_files: tuple[int, ...] = ()
    # Scorewatch's own statement (its modelling choices): there is no document to point at, and
    # saying so beats pointing at a folder that holds no source.
    scorewatch_note: bool = False
    # A Scorewatch note saying the research names no one who made a claim: cited as that claim's
    # source, so no publication is named as its author by default.
    no_named_source: bool = False
    publisher: str = Field(min_length=1)
    date: PartialDate = None
    note: str | None = None

    @model_validator(mode="after")
    def _has_locator(self) -> Self:
        if not (self.url or self.seed or self.code_index_files or self.scorewatch_note):
            raise ValueError("a citation needs a url, a seed file, code_index_files or scorewatch_note")
        if self.scorewatch_note and self.publisher != "Scorewatch":
            raise ValueError("scorewatch_note is for Scorewatch's own notes (publisher: Scorewatch)")
        if self.no_named_source and not self.scorewatch_note:
            raise ValueError("no_named_source is a Scorewatch note: it needs scorewatch_note")
        return self


class Sourced(Strict):
    source: CitationId
    evidence: Evidence
    note: str | None = None
    see_also: tuple[CitationId, ...] = ()


def sourced_items(node: object, path: str = "") -> Iterator[tuple[str, Sourced]]:
    """Every item in a regime that carries a source and an evidence grade, with its path."""
    if isinstance(node, BaseModel):
        if isinstance(node, Sourced):
            yield path, node
        for name in type(node).model_fields:
            yield from sourced_items(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            yield from sourced_items(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from sourced_items(item, f"{path}.{key}")


class Dated(Strict):
    valid_from: date | None = None
    valid_to: date | None = None  # last day in force, inclusive

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise LocatedError("valid_to", "valid_to is before valid_from")
        return self

    def in_force(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


class Instrument(Sourced, Dated):
    id: Slug
    short: str
    title: Text
    doc_no: str | None = None
    adopted: date | None = None
    promulgated: date | None = None


class Wording(Sourced, Dated):
    """A rule's text in one instrument; `item` is the numbered item within the article."""

    instrument: Slug
    article: int = Field(ge=1)
    item: int | None = Field(default=None, ge=1)
    text_zh: str
    text_en: str | None = None


class Circumstance(Sourced):
    id: Annotated[str, StringConstraints(pattern=r"^c[1-9]_[a-z0-9_]+$")]
    label: Text
    wordings: tuple[Wording, ...] = Field(min_length=1)
    phrases: tuple[str, ...] = Field(min_length=1)
    phrases_source: CitationId
    phrases_evidence: Evidence

    def wording_at(self, day: date) -> Wording:
        """The wording in force on `day`; before the first one, the first; after all, the last."""
        ordered = sorted(self.wordings, key=lambda w: w.valid_from or date.min)
        for wording in ordered:
            if wording.in_force(day):
                return wording
        return ordered[0] if ordered[0].valid_from and day < ordered[0].valid_from else ordered[-1]


class Extension(Sourced):
    years_min: int = Field(ge=0)
    years_max: int = Field(ge=0)
    conditions: tuple[Text, ...] = ()


class TermRule(Sourced, Dated):
    instrument: Slug
    article: int = Field(ge=1)
    years: int = Field(ge=1)
    starts: Literal["publication"]
    applies_to: tuple[str, ...]
    no_fixed_term: tuple[str, ...] = ()
    no_fixed_term_means: Text | None = None
    extension: Extension
    early_removal: Text | None = None
    applies_to_earlier_listings: bool = False


class RemovalTrigger(Sourced):
    id: Slug
    text: Text
    # Which listings the ground deletes: those without a fixed term (2017 Art. 10: "有纳入期限的，
    # 不适用前款规定"), those with one (deleted when the term ends), or any.
    listings: Literal["any", "without_term", "with_term"] = "any"


class RemovalRule(Sourced, Dated):
    instrument: Slug
    article: int = Field(ge=1)
    working_days: int = Field(ge=0)
    triggers: tuple[RemovalTrigger, ...] = Field(min_length=1)
    applies_to_earlier_events: bool = False


class Exclusion(Sourced, Dated):
    id: Slug
    label: Text
    party_type: PartyType | Literal["any"]
    check: Literal["age_below", "asserted", "not_checkable"]
    age_below: int | None = Field(default=None, ge=1)
    # Empty: no one of this party type may be listed at all. Otherwise the exclusion only bars
    # listing on these circumstances (2017 Art. 3 bars listing under Art. 1 item 1 only).
    grounds: tuple[str, ...] = ()
    # Where the rule is written, when known (a letter to a court names the article).
    instrument: Slug | None = None
    article: int | None = Field(default=None, ge=1)
    item: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _age_given(self) -> Self:
        if (self.check == "age_below") != (self.age_below is not None):
            raise LocatedError("age_below", "age_below is required with check: age_below, and only then")
        return self


class CorrectionGround(Text):
    """One ground of Art. 11, worded as the article words it; `id` lets the model refer to it."""

    id: Slug | None = None


class CorrectionRule(Sourced, Dated):
    """How a listed party asks the enforcing court to correct a listing, and what comes after."""

    instrument: Slug
    article: int = Field(ge=1)            # the procedure
    grounds_article: int = Field(ge=1)    # what may be asked for
    grounds: tuple[CorrectionGround, ...] = Field(min_length=1)
    review_days: int = Field(ge=1)        # the court decides within this many days of receipt
    correct_working_days: int = Field(ge=1)  # and corrects within this many working days
    reconsideration_days: int = Field(ge=1)  # to ask the next court up, from service of a refusal
    reconsideration_decision_days: int = Field(ge=1)
    listing_stays_during_reconsideration: bool


class SanctionItem(Sourced, Dated):
    id: Slug
    number: int = Field(ge=1)
    label: Text
    examples: tuple[str, ...] = ()
    known: bool = True


class SanctionGroup(Sourced, Dated):
    id: Slug
    kind: Literal["restriction_order", "joint_punishment"]
    title: Text
    instrument: Slug | None = None
    article: int | None = Field(default=None, ge=1)
    signed: date | None = None
    bodies: int | None = Field(default=None, ge=1)
    measures: int | None = Field(default=None, ge=1)
    binds_for_organisations: tuple[str, ...] = ()
    items: tuple[SanctionItem, ...] = Field(min_length=1)


class PublishedFields(Sourced):
    instruments: tuple[Slug, ...] = ()
    articles: dict[Slug, int] = Field(default_factory=dict)
    person: tuple[FieldId, ...]
    company: tuple[FieldId, ...]
    common: tuple[FieldId, ...]
    labels: dict[FieldId, Text] = Field(default_factory=dict)

    def required_for(self, party_type: PartyType) -> tuple[str, ...]:
        return (self.person if party_type == "person" else self.company) + self.common


class IdMaskRule(Sourced):
    applies_to: PartyType
    id_length: int = Field(ge=1)
    masked_positions: tuple[int, int]  # 1-based, inclusive
    mask: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        first, last = self.masked_positions
        if not 1 <= first <= last <= self.id_length:
            raise LocatedError("masked_positions", f"positions must lie within 1..{self.id_length}")
        if len(self.mask) != last - first + 1:
            raise LocatedError("mask", "mask length differs from the number of masked positions")
        return self


class ListRegime(Strict):
    """A list regime: who may be listed and why, for how long, what it triggers."""

    id: Slug
    kind: Literal["list"]
    version: Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d{1,2}\.\d+$")]
    jurisdiction: str
    title: Text
    summary: str = Field(min_length=1)
    instruments: tuple[Instrument, ...] = ()
    preambles: tuple[Wording, ...] = ()
    circumstances: tuple[Circumstance, ...] = Field(min_length=1)
    term: TermRule
    removal: RemovalRule
    exclusions: tuple[Exclusion, ...] = ()
    correction: CorrectionRule | None = None
    sanctions: tuple[SanctionGroup, ...] = ()
    published_fields: PublishedFields
    id_mask: IdMaskRule

    _phrase_index: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        instruments = {i.id for i in self.instruments}
        circumstances = {c.id for c in self.circumstances}
        _unique([(f"circumstances[{i}].id", c.id) for i, c in enumerate(self.circumstances)])
        _unique([(f"exclusions[{i}].id", e.id) for i, e in enumerate(self.exclusions)])
        _unique([(f"sanctions[{i}].id", g.id) for i, g in enumerate(self.sanctions)]
                + [(f"sanctions[{i}].items[{j}].id", item.id)
                   for i, g in enumerate(self.sanctions) for j, item in enumerate(g.items)])
        for i, c in enumerate(self.circumstances):
            for j, w in enumerate(c.wordings):
                _require(w.instrument in instruments,
                         f"circumstances[{i}].wordings[{j}].instrument", "unknown instrument")
        for j, w in enumerate(self.preambles):
            _require(w.instrument in instruments, f"preambles[{j}].instrument", "unknown instrument")
        for name in ("applies_to", "no_fixed_term"):
            for j, cid in enumerate(getattr(self.term, name)):
                _require(cid in circumstances, f"term.{name}[{j}]", f"unknown circumstance '{cid}'")
        for i, e in enumerate(self.exclusions):
            _require(e.instrument is None or e.instrument in instruments,
                     f"exclusions[{i}].instrument", "unknown instrument")
            for j, cid in enumerate(e.grounds):
                _require(cid in circumstances, f"exclusions[{i}].grounds[{j}]",
                         f"unknown circumstance '{cid}'")
        if self.correction is not None:
            _require(self.correction.instrument in instruments, "correction.instrument",
                     "unknown instrument")
        _unique([(f"removal.triggers[{i}].id", t.id) for i, t in enumerate(self.removal.triggers)])
        index: dict[str, str] = {}
        for i, c in enumerate(self.circumstances):
            for j, phrase in enumerate(c.phrases):
                key = normalise_phrase(phrase)
                _require(bool(key), f"circumstances[{i}].phrases[{j}]", "phrase is empty once normalised")
                _require(index.get(key, c.id) == c.id, f"circumstances[{i}].phrases[{j}]",
                         f"phrase also belongs to {index.get(key)}")
                index[key] = c.id
        self._phrase_index = index
        return self

    def circumstance(self, cid: str) -> Circumstance:
        return next(c for c in self.circumstances if c.id == cid)

    def circumstance_for_phrase(self, phrase: str) -> str | None:
        return self._phrase_index.get(normalise_phrase(phrase))

    def instrument(self, iid: str) -> Instrument:
        return next(i for i in self.instruments if i.id == iid)


def _unique(located_ids: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for path, item in located_ids:
        _require(item not in seen, path, f"duplicate id '{item}'")
        seen.add(item)


def _require(condition: bool, path: str, reason: str) -> None:
    if not condition:
        raise LocatedError(path, reason)
