"""The checks: one small function per question we ask of a published listing.

Each check reads the model's verdict on the listing, the listing's privacy-safe facts and a
context the runner prepares (the day the listing was last seen, and what only the store knows),
and returns `None` or a `FindingDraft`. A draft's summary is one plain sentence with no name and
no ID number in it; the citation and evidence grade are those of the rule the check tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from watchdog.model import CitationRef, ListingFacts, ListRegime, Verdict
from watchdog.model.listing import LEGAL_REP_EXCLUSION, may_have_term
from watchdog.model.schema import Sourced
from watchdog.model.workdays import OFFICIAL_BASIS, add_working_days_with_basis

Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class CheckContext:
    """What a check needs beyond the verdict and the facts.

    `as_of` is the day the listing is judged on: the audit date, or the last day a crawl saw
    the listing if that is earlier, because we only know it was still listed when we saw it.
    """

    regime: ListRegime
    as_of: date
    performed_seen: date | None = None  # first day a crawl saw the listing as fully performed
    legal_rep_of_listed_company: bool = False


@dataclass(frozen=True)
class FindingDraft:
    summary: str
    citation: str
    evidence: str
    detail: dict[str, Any] = field(default_factory=dict)


CheckFunc = Callable[[Verdict, ListingFacts, CheckContext], FindingDraft | None]


@dataclass(frozen=True)
class Check:
    id: str
    description: str
    rule: str  # the regime item the check tests, e.g. "exclusions.minor"
    severity: Severity
    run: CheckFunc


CHECKS: dict[str, Check] = {}


def check(*, id: str, description: str, rule: str,
          severity: Severity) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check; adding one means writing one function here."""
    def register(func: CheckFunc) -> CheckFunc:
        if id in CHECKS:
            raise ValueError(f"check {id!r} registered twice")
        CHECKS[id] = Check(id, " ".join(description.split()), rule, severity, func)
        return func
    return register


# -- helpers ----------------------------------------------------------------------------------

def _cite(v: Verdict, key: str, fallback: Sourced) -> tuple[str, str]:
    ref = v.citations.get(key) or CitationRef(source=fallback.source, evidence=fallback.evidence)
    return ref.source, str(ref.evidence)


def span(start: date, end: date) -> str:
    """'3 years 2 months', '5 months', '12 days': how long from start to end, in plain words."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months <= 0:
        days = (end - start).days
        return f"{days} day{'s' * (days != 1)}"
    years, months = divmod(months, 12)
    parts = [f"{years} year{'s' * (years != 1)}"] if years else []
    if months:
        parts.append(f"{months} month{'s' * (months != 1)}")
    return " ".join(parts)


def performance_says_full(performance: str | None) -> bool:
    """Whether a published performance status means everything was performed."""
    text = "".join((performance or "").split())
    # 全部未履行 and 部分未履行 both contain 履行; any 未 (not yet) rules full performance out.
    return "未" not in text and ("全部履行" in text or "履行完毕" in text)


def fully_performed(facts: ListingFacts) -> bool:
    """Whether the record says all obligations were performed, in words or with a date."""
    return facts.performed_date is not None or performance_says_full(facts.performance)


def _removal_due(regime: ListRegime, event: date) -> date | None:
    """The last day an entry may stay after `event`, read as the model reads the removal rule:
    an event before the rule took effect counts from that day, if the rule reaches back at all."""
    return _removal_due_with_basis(regime, event)[0]


def _removal_due_with_basis(regime: ListRegime, event: date) -> tuple[date | None, str | None]:
    """`_removal_due` and the calendar its working days were counted on."""
    rule = regime.removal
    start = event
    if rule.valid_from and event < rule.valid_from:
        if not rule.applies_to_earlier_events:
            return None, None
        start = rule.valid_from
    return add_working_days_with_basis(start, rule.working_days)


# -- the checks -------------------------------------------------------------------------------

@check(id="no_lawful_circumstance", rule="circumstances", severity="high", description="""
    The listing records none of the six circumstances for which a court may put a debtor on the
    list (for example refusing to pay despite being able to, or breaking the asset-reporting
    rules).""")
def no_lawful_circumstance(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    if v.has_lawful_ground:
        return None
    citation, evidence = _cite(v, "has_lawful_ground", ctx.regime.circumstances[0])
    if v.unmatched_phrases:
        summary = ("The stated reason for listing matches none of the six circumstances the "
                   "rules allow; it may be a wording we have not seen before.")
    else:
        summary = "No reason for listing was published; the rules allow listing for six circumstances only."
    return FindingDraft(summary, citation, evidence,
                        {"unmatched_phrases": [p[:80] for p in v.unmatched_phrases]})


def _earlier_listing(facts: ListingFacts, ctx: CheckContext) -> str:
    """A clause owning up to our reading when the term rule postdates the listing."""
    start = ctx.regime.term.valid_from
    if start and facts.publish_date and facts.publish_date < start:
        return (f" The term comes from rules in force since {start}; applying it to this earlier "
                f"listing is our reading of them.")
    return ""


def _term_detail(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> dict[str, Any]:
    return {"publish_date": str(facts.publish_date), "seen_listed_on": str(ctx.as_of),
            "grounds": v.grounds, "term_end": str(v.term_end),
            "term_end_max": str(v.term_end_max), "notes": v.notes}


@check(id="past_legal_term", rule="term", severity="medium", description="""
    Still listed after the 2-year term for its circumstance ended (plus the working days allowed
    for removal). Courts may extend a term by 1 to 3 years but do not publish extensions, so this
    may be lawful; a listing past even the longest extension is flagged as past_maximum_term
    too.""")
def past_legal_term(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    if v.term_end is None or facts.publish_date is None:
        return None
    if ctx.as_of <= (v.term_removal_deadline or v.term_end):
        return None
    term = ctx.regime.term
    citation, evidence = _cite(v, "term_end", term)
    summary = (f"Listed {span(facts.publish_date, ctx.as_of)} after publication; the rule allows "
               f"{term.years} years for this circumstance, extendable by up to "
               f"{term.extension.years_max}, and extensions are not published."
               f"{_earlier_listing(facts, ctx)}")
    return FindingDraft(summary, citation, evidence, _term_detail(v, facts, ctx))


@check(id="past_maximum_term", rule="term.extension", severity="high", description="""
    Still listed after the longest term the rules allow for its circumstance: 2 years plus the
    longest extension of 3, 5 years in all, and the working days allowed for removal.""")
def past_maximum_term(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    if v.term_end_max is None or facts.publish_date is None:
        return None
    due = _removal_due(ctx.regime, v.term_end_max)
    if due is None or ctx.as_of <= due:
        return None
    term = ctx.regime.term
    citation, evidence = _cite(v, "term_end_max", term.extension)
    longest = term.years + term.extension.years_max
    summary = (f"Listed {span(facts.publish_date, ctx.as_of)} after publication; even with the "
               f"longest extension the rule allows {longest} years for this circumstance."
               f"{_earlier_listing(facts, ctx)}")
    return FindingDraft(summary, citation, evidence, _term_detail(v, facts, ctx))


@check(id="performed_not_removed", rule="removal.full_performance", severity="high",
       description="""
    The listing says the debtor has fully performed the obligations, yet it was still listed
    after the 3 working days the rules allow for removal. The rule covers listings without a
    term (ability but refusal, or no lawful ground recorded); a listing with a term may stay
    until the term ends, so a listing that also rests on a ground with a term is not checked.
    When the record gives no date of performance, we count from the first crawl that saw it
    marked as fully performed, which can only make the delay look shorter than it was.""")
def performed_not_removed(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    # Only a listing certainly without a term: one on ability-but-refusal and asset reporting
    # together might carry the two-year term, and then performance obliges no deletion.
    if not fully_performed(facts) or may_have_term(ctx.regime, v.grounds):
        return None
    if facts.performed_date is not None:
        performed, basis, deadline = facts.performed_date, "record", v.removal_deadline
        calendar = v.removal_deadline_basis
    elif ctx.performed_seen is not None:
        performed, basis = ctx.performed_seen, "first_seen_performed"
        deadline, calendar = _removal_due_with_basis(ctx.regime, performed)
    else:
        return None
    if deadline is None or ctx.as_of <= deadline:
        return None
    days = ctx.regime.removal.working_days
    citation, evidence = _cite(v, "removal_deadline", ctx.regime.removal)
    if basis == "record":
        opening = f"The record says the obligations were fully performed on {performed}"
    else:
        opening = (f"We first saw the listing marked as fully performed on {performed} "
                   f"(the record gives no date)")
    summary = (f"{opening}; the rule requires removal within {days} working days, by "
               f"{deadline}, but it was still listed {span(deadline, ctx.as_of)} later.")
    if calendar and calendar != OFFICIAL_BASIS:
        # No holiday calendar for that year: Monday to Friday, so the deadline may be early.
        summary += f" Working days counted {calendar}: the deadline may be a few days early."
    return FindingDraft(summary, citation, evidence, {
        "performed_date": str(performed), "performed_date_basis": basis,
        "removal_deadline": str(deadline), "removal_deadline_calendar": calendar,
        "seen_listed_on": str(ctx.as_of)})


@check(id="minor_listed", rule="exclusions.minor", severity="high", description="""
    A person under 18 was listed. The rules say minors may not be put on the list. The age comes
    from the published age or the birth year in the masked ID number.""")
def minor_listed(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    if "minor" not in v.exclusions:
        return None
    exclusion = next(e for e in ctx.regime.exclusions if e.id == "minor")
    citation, evidence = _cite(v, "exclusions.minor", exclusion)
    by_age = facts.age is not None and 0 < facts.age < (exclusion.age_below or 18)
    basis = "published age" if by_age else "birth year in the masked ID number"
    summary = f"A person under {exclusion.age_below} was listed (by the {basis}); the rules do not allow listing minors."
    return FindingDraft(summary, citation, evidence,
                        {"basis": basis, "published_age": facts.age if by_age else None})


@check(id="legal_rep_listed", rule=f"exclusions.{LEGAL_REP_EXCLUSION}", severity="high",
       description="""
    A person was listed in the same case as a defaulting company whose legal representative has
    the same name. Since 2 January 2020 the legal representative of a defaulting company may have
    their spending restricted but may not be put on the list. Matching is by name within one
    case, so a namesake is possible though unlikely.""")
def legal_rep_listed(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    if LEGAL_REP_EXCLUSION not in v.exclusions:
        return None
    exclusion = next(e for e in ctx.regime.exclusions if e.id == LEGAL_REP_EXCLUSION)
    citation, evidence = _cite(v, f"exclusions.{LEGAL_REP_EXCLUSION}", exclusion)
    summary = (f"A person was listed in the same case as a defaulting company of which they appear "
               f"to be the legal representative; since {exclusion.valid_from} the rules allow "
               f"restricting their spending but not listing them.")
    return FindingDraft(summary, citation, evidence, {"publish_date": str(facts.publish_date)})


@check(id="id_not_masked", rule="id_mask", severity="high", description="""
    A person's ID number was published without the birth month and day hidden, or in a form that
    does not fit the masking the portal normally applies. The masking is the portal's observed
    practice rather than a rule we have read.""")
def id_not_masked(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    if facts.party_type != "person" or facts.id_mask not in ("unmasked", "malformed"):
        return None
    rule = ctx.regime.id_mask
    citation, evidence = _cite(v, "id_mask_ok", rule)
    first, last = rule.masked_positions
    if facts.id_mask == "unmasked":
        summary = (f"The person's ID number was published in full; the portal normally hides "
                   f"digits {first} to {last} (the birth month and day).")
    else:
        summary = ("The person's ID number was published in a form that does not fit the portal's "
                   "usual masking, so it may reveal more than intended.")
    return FindingDraft(summary, citation, evidence, {"id_mask": facts.id_mask})


@check(id="statutory_fields_missing", rule="published_fields", severity="low", description="""
    One or more of the fields the rules require every listing to publish (such as the enforcing
    court, the case number or the obligation) were missing or empty.""")
def statutory_fields_missing(v: Verdict, facts: ListingFacts, ctx: CheckContext) -> FindingDraft | None:
    if not v.missing_fields:
        return None
    rule = ctx.regime.published_fields
    citation, evidence = _cite(v, "missing_fields", rule)
    required = rule.required_for(facts.party_type)
    names = [rule.labels[f].en if f in rule.labels else f for f in v.missing_fields]
    if len(names) == len(required):
        opening = f"None of the {len(required)} fields the rules require was published"
    else:
        opening = f"{len(names)} of the {len(required)} fields the rules require were not published"
    summary = f"{opening}: {'; '.join(names)}."
    return FindingDraft(summary, citation, evidence, {"missing_fields": v.missing_fields})


def run_checks(v: Verdict, facts: ListingFacts,
               ctx: CheckContext) -> list[tuple[Check, FindingDraft]]:
    """Every registered check on one listing, in registration order; only those that fire."""
    out = []
    for c in CHECKS.values():
        draft = c.run(v, facts, ctx)
        if draft is not None:
            out.append((c, draft))
    return out
