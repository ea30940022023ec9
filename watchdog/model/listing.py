"""Verdicts on one published listing: is there a lawful ground, how long may it last, when must
it go, who may not be listed, which fields are missing, and what the listing triggers.

`verdict` reads only the regime and the privacy-safe `ListingFacts`; every conclusion in the
result names the citation and evidence grade it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict

from watchdog.model.facts import ListingFacts
from watchdog.model.phrases import normalise_phrase, phrase_index, split_phrases
from watchdog.model.schema import Circumstance, Evidence, ListRegime, Sourced, Wording
from watchdog.model.workdays import add_working_days_with_basis

LEGAL_REP_EXCLUSION = "legal_rep_of_defaulting_company"


class CitationRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    evidence: Evidence


class Verdict(BaseModel):
    """The model's reading of one listing at one date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regime_id: str
    regime_version: str
    as_of: date
    grounds: list[str]                # circumstance ids matched, in regime order
    ground_articles: dict[str, str]   # id -> article in force at publication, e.g. "2013 Provisions Art. 1(6)"
    unmatched_phrases: list[str]
    has_lawful_ground: bool
    # The listing has a fixed term (every ground is one the term applies to): the deletion grounds
    # of Art. 10 para. 1 then do not apply; it goes when the term ends (or earlier, at discretion).
    fixed_term: bool
    term_end: date | None
    term_end_max: date | None         # with the longest extension
    past_term: bool
    past_max_term: bool
    term_removal_deadline: date | None  # term_end + the removal working days
    removal_deadline: date | None       # performed_date + the removal working days
    overdue_removal: bool
    exclusions: list[str]             # exclusions that apply: the listing should not exist
    possible_exclusions: list[str]    # might apply; the published facts cannot settle it
    unchecked_exclusions: list[str]   # cannot be checked from published fields at all
    missing_fields: list[str]
    id_mask_ok: bool
    sanctions: list[str]              # sanction item ids in force at as_of
    citations: dict[str, CitationRef]  # conclusion -> the rule it rests on
    notes: list[str]
    # How the working days behind each deadline were counted: workdays.OFFICIAL_BASIS (the State
    # Council's holiday calendar) or "weekdays only (no holiday data for YEAR)"; None without one.
    term_removal_deadline_basis: str | None = None
    removal_deadline_basis: str | None = None


def circumstance_of(regime: ListRegime, phrase: str) -> str | None:
    """The circumstance id a published phrase stands for, or None if it is not a known phrase.

    A phrase the regime lists for a circumstance names it; so does any statutory wording of it
    (either instrument: the portal kept publishing 2013 wording after 2017) and a wording that
    names only some of its listed means. Comparison is on `normalise_phrase` keys, so width,
    punctuation, whitespace, 的 and a leading 被执行人 or 其他 do not matter.
    """
    declared = regime.circumstance_for_phrase(phrase)
    if declared is not None:
        return declared
    key = normalise_phrase(phrase)
    return _wording_index(regime.circumstances).get(key) if key else None


@lru_cache(maxsize=16)
def _wording_index(circumstances: tuple[Circumstance, ...]) -> Mapping[str, str]:
    # Keyed on the circumstances themselves (frozen, hashable): built once per regime, and a
    # regime loaded afresh with other wordings gets its own index.
    texts = [(c.id, text) for c in circumstances
             for text in (*c.phrases, *(w.text_zh for w in c.wordings))]
    return MappingProxyType(phrase_index(texts))


def verdict(
    regime: ListRegime,
    facts: ListingFacts,
    as_of: date,
    *,
    is_legal_rep_of_listed_company: bool = False,
    asserted_exclusions: Iterable[str] = (),
) -> Verdict:
    """Judge one listing against `regime` as of `as_of`.

    Whether a person is the legal representative of a listed company cannot be read from their
    own record, so the caller asserts it (`is_legal_rep_of_listed_company`); other exclusions with
    `check: asserted` can be asserted by id through `asserted_exclusions`.
    """
    cites: dict[str, CitationRef] = {}
    notes: list[str] = []
    # The wording in force when the entry was published decides the article numbering.
    rule_day = facts.publish_date or as_of

    grounds, unmatched = _match(regime, facts.circumstances)
    ground_articles: dict[str, str] = {}
    for cid in grounds:
        wording = regime.circumstance(cid).wording_at(rule_day)
        ground_articles[cid] = _article(regime, wording)
        cites[f"grounds.{cid}"] = _ref(wording)
    preamble = next((p for p in regime.preambles if p.in_force(rule_day)), None)
    if preamble is not None:
        cites["has_lawful_ground"] = _ref(preamble)
    first = min((w.valid_from for c in regime.circumstances for w in c.wordings if w.valid_from),
                default=None)
    if facts.publish_date and first and facts.publish_date < first:
        notes.append(f"published {facts.publish_date} before the first rules took effect ({first})")

    term_end, term_end_max = _term(regime, grounds, facts.publish_date, notes)
    cites["term_end"] = _ref(regime.term)
    if term_end_max is not None:
        cites["term_end_max"] = _ref(regime.term.extension)
    term_removal, term_removal_basis = _deadline(regime, term_end, "term expiry", notes)
    fixed_term = has_fixed_term(regime, grounds)
    if not fixed_term and may_have_term(regime, grounds):
        notes.append("the listing rests both on a ground without a term and on one with a term; "
                     "treating it as without a term is our reading, so the audit does not hold "
                     "deletion on performance against it")
    removal, removal_basis = None, None
    if _performance_deletes(regime, has_term=fixed_term):
        removal, removal_basis = _deadline(regime, facts.performed_date, "performance", notes)
    elif facts.performed_date is not None:
        notes.append(f"performed on {facts.performed_date}, but the listing has a term: deletion "
                     "on performance applies only to listings without one (the court may delete "
                     "it early); it must go when the term ends")
    cites["removal_deadline"] = _ref(regime.removal)

    excluded, possible, unchecked = _exclusions(
        regime, facts, as_of, grounds,
        set(asserted_exclusions) | ({LEGAL_REP_EXCLUSION} if is_legal_rep_of_listed_company else set()),
        notes,
    )
    for eid in (*excluded, *possible, *unchecked):
        cites[f"exclusions.{eid}"] = _ref(next(e for e in regime.exclusions if e.id == eid))

    required = regime.published_fields.required_for(facts.party_type)
    missing = [f for f in required if f not in facts.fields_present]
    cites["missing_fields"] = _ref(regime.published_fields)
    mask_rule = regime.id_mask
    # Organisation codes are published in full by rule; only the resident ID is masked.
    id_mask_ok = facts.id_mask == "masked" if facts.party_type == mask_rule.applies_to else True
    cites["id_mask_ok"] = _ref(mask_rule)

    sanctions: list[str] = []
    if facts.publish_date is None or facts.publish_date <= as_of:
        for group in regime.sanctions:
            if not group.in_force(as_of):
                continue
            for item in group.items:
                if item.in_force(as_of):
                    sanctions.append(item.id)
                    cites[f"sanctions.{item.id}"] = _ref(item)

    return Verdict(
        regime_id=regime.id,
        regime_version=regime.version,
        as_of=as_of,
        grounds=grounds,
        ground_articles=ground_articles,
        unmatched_phrases=unmatched,
        has_lawful_ground=bool(grounds),
        fixed_term=fixed_term,
        term_end=term_end,
        term_end_max=term_end_max,
        past_term=term_end is not None and as_of > term_end,
        past_max_term=term_end_max is not None and as_of > term_end_max,
        term_removal_deadline=term_removal,
        removal_deadline=removal,
        overdue_removal=removal is not None and as_of > removal,
        exclusions=excluded,
        possible_exclusions=possible,
        unchecked_exclusions=unchecked,
        missing_fields=missing,
        id_mask_ok=id_mask_ok,
        sanctions=sanctions,
        citations=cites,
        notes=notes,
        term_removal_deadline_basis=term_removal_basis,
        removal_deadline_basis=removal_basis,
    )


def _match(regime: ListRegime, published: Iterable[str]) -> tuple[list[str], list[str]]:
    found: set[str] = set()
    unmatched: list[str] = []
    for phrase in split_phrases(published):
        cid = circumstance_of(regime, phrase)
        if cid is None:
            if phrase not in unmatched:
                unmatched.append(phrase)
        else:
            found.add(cid)
    return [c.id for c in regime.circumstances if c.id in found], unmatched


def has_fixed_term(regime: ListRegime, grounds: list[str]) -> bool:
    """Whether a listing on these grounds has a fixed term: every ground is one the term applies
    to (a listing that rests on ability-but-refusal at all, or on no lawful ground, has none)."""
    rule = regime.term
    return bool(grounds) and all(g in rule.applies_to and g not in rule.no_fixed_term
                                 for g in grounds)


def may_have_term(regime: ListRegime, grounds: list[str]) -> bool:
    """Whether any ground is one the term applies to: a listing that rests on such a ground, even
    beside ability-but-refusal, might carry the term (our reading gives it none)."""
    return any(g in regime.term.applies_to for g in grounds)


def _term(
    regime: ListRegime, grounds: list[str], published: date | None, notes: list[str]
) -> tuple[date | None, date | None]:
    rule = regime.term
    if published is None or not has_fixed_term(regime, grounds):
        return None, None
    if rule.valid_from and published < rule.valid_from:
        if not rule.applies_to_earlier_listings:
            notes.append(f"listed before {rule.valid_from}: no listing term applied")
            return None, None
        notes.append(
            f"listed before {rule.valid_from}: the {rule.years}-year term is applied to it by our "
            "reading of the later rules; the rules in force at publication set no term")
    return (_add_years(published, rule.years),
            _add_years(published, rule.years + rule.extension.years_max))


def _deadline(
    regime: ListRegime, event: date | None, what: str, notes: list[str]
) -> tuple[date | None, str | None]:
    """The removal deadline after `event` and the basis its working days were counted on."""
    rule = regime.removal
    if event is None:
        return None, None
    start = event
    if rule.valid_from and event < rule.valid_from:
        if not rule.applies_to_earlier_events:
            return None, None
        start = rule.valid_from
        notes.append(f"{what} on {event} predates the removal rule; "
                      f"its deadline is counted from {rule.valid_from}")
    return add_working_days_with_basis(start, rule.working_days)


def _performance_deletes(regime: ListRegime, *, has_term: bool) -> bool:
    """Whether full performance obliges deletion of a listing with (or without) a term."""
    trigger = next((t for t in regime.removal.triggers if t.id == "full_performance"), None)
    if trigger is None:
        return False
    return trigger.listings in ("any", "with_term" if has_term else "without_term")


def _exclusions(
    regime: ListRegime, facts: ListingFacts, as_of: date, grounds: list[str], asserted: set[str],
    notes: list[str],
) -> tuple[list[str], list[str], list[str]]:
    excluded: list[str] = []
    possible: list[str] = []
    unchecked: list[str] = []
    published = facts.publish_date
    for ex in regime.exclusions:
        if ex.party_type not in ("any", facts.party_type):
            continue
        if ex.grounds and ex.id in asserted:
            # It bars listing on some grounds only: moot without a lawful ground, and no answer
            # to a listing that also rests on another ground.
            others = [g for g in grounds if g not in ex.grounds]
            if not grounds or others:
                why = "the listing records no lawful ground" if not grounds else \
                    f"the listing also rests on {', '.join(others)}"
                notes.append(f"{ex.id} asserted; it bars listing on {', '.join(ex.grounds)} only, "
                             f"and {why}")
                continue
        known_in_force = published is not None and ex.in_force(published)
        if published is not None and not known_in_force:
            if ex.id in asserted:
                notes.append(f"{ex.id} asserted, but the listing ({published}) predates the rule")
            continue
        if ex.check == "not_checkable":
            unchecked.append(ex.id)
        elif ex.check == "asserted":
            if ex.id in asserted:
                (excluded if known_in_force else possible).append(ex.id)
        elif ex.age_below is not None:
            status = _under_age(facts, ex.age_below, as_of)
            if status == "yes":
                excluded.append(ex.id)
            elif status == "possible":
                possible.append(ex.id)
    return excluded, possible, unchecked


def _under_age(facts: ListingFacts, limit: int, as_of: date) -> str:
    # The portal writes age 0 when it has none, so 0 means unknown, not a newborn.
    age_known = facts.age is not None and facts.age > 0
    if age_known and facts.age < limit:  # type: ignore[operator]
        return "yes"
    if facts.birth_year is not None:
        # Publication is never after as_of, so an age bound at as_of also holds at publication.
        years = (facts.publish_date or as_of).year - facts.birth_year
        if years < limit:
            return "yes"
        if years == limit and not age_known:
            return "possible"  # the masked ID hides the birth month and day
    return "no"


def _article(regime: ListRegime, wording: Wording) -> str:
    item = f"({wording.item})" if wording.item else ""
    return f"{regime.instrument(wording.instrument).short} Art. {wording.article}{item}"


def _ref(rule: Sourced) -> CitationRef:
    return CitationRef(source=rule.source, evidence=rule.evidence)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year + years, day=28)
