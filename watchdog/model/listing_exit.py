"""How a listing on the court list ends, and the grounds to contest it: `listing_exit`.

It reads the court-list verdict (`watchdog.model.listing.verdict`) and lists the ways the listing
ends (performance, the creditor's consent, the end of its term, early removal at the court's
discretion) and the grounds to contest it (no lawful ground, an exclusion, an overdue removal, a
listing that outlasted its longest term, a debt performed before the entry was published), each
with the deadline the model can work out, the basis its working days were counted on, and the
citation and evidence grade it rests on.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from watchdog.model.facts import ListingFacts
from watchdog.model.listing import Verdict, verdict
from watchdog.model.schema import Evidence, ListRegime
from watchdog.model.workdays import add_working_days_with_basis

# The id of the Art. 11 ground "the party should not have been listed" in the regime's correction
# rule; a debt performed before publication is a case of it.
SHOULD_NOT_BE_LISTED = "should_not_be_listed"


class ExitRoute(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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


class ListingExit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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
    early = performed_early(facts)
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
        if fixed and early:
            early_note = (f"you performed on {facts.performed_date}, before the entry was published: you "
                          "should not have been listed at all (see the grounds to contest it)")
        elif fixed and facts.performed_date:
            early_note = (f"you performed on {facts.performed_date}: for a listing with a term the court may "
                          "delete it early, but is not obliged to before the term ends")
        routes.append(ExitRoute(id="early_removal", kind="ends", text=regime.term.early_removal.en, applies=None,
                                deadline=None, source=regime.term.source, evidence=regime.term.evidence,
                                note=early_note))
    if early:
        routes += _performed_before_listing(regime, facts, v)
    cite = v.citations
    if not v.has_lawful_ground and "has_lawful_ground" in cite:
        routes.append(ExitRoute(id="no_lawful_ground", kind="contest", applies=True, deadline=None,
                                text="None of the lawful circumstances is recorded for this listing",
                                source=cite["has_lawful_ground"].source, evidence=cite["has_lawful_ground"].evidence))
    for eid, applies in [*((e, True) for e in v.exclusions), *((e, None) for e in v.possible_exclusions)]:
        exclusion = next(e for e in regime.exclusions if e.id == eid)
        routes.append(ExitRoute(id=f"excluded:{eid}", kind="contest", text=exclusion.label.en, applies=applies,
                                deadline=None, source=exclusion.source, evidence=exclusion.evidence))
    # Past the longest term, the entry had to go within the removal days of that term's end, as at
    # the end of an ordinary term; the end itself is not the deadline.
    longest, longest_basis = (add_working_days_with_basis(v.term_end_max, days) if v.term_end_max
                              else (None, None))
    for flag, rid, text, deadline, basis in [
        (v.past_max_term, "past_longest_term", "The listing has outlasted even the longest extended term",
         longest, longest_basis),
        (v.overdue_removal, "removal_overdue", "The debtor performed in full and the removal deadline has passed",
         v.removal_deadline, v.removal_deadline_basis),
    ]:
        if flag:
            routes.append(ExitRoute(id=rid, kind="contest", text=text, applies=True, deadline=deadline,
                                    source=rule.source, evidence=rule.evidence, deadline_basis=basis))
    return ListingExit(regime_id=regime.id, as_of=as_of, court=facts.court, verdict=v, routes=routes)


def performed_early(facts: ListingFacts) -> bool:
    """Whether the debtor performed in full before the entry was published."""
    return facts.performed_date is not None and facts.publish_date is not None and \
        facts.performed_date < facts.publish_date


def _performed_before_listing(regime: ListRegime, facts: ListingFacts, v: Verdict) -> list[ExitRoute]:
    """Art. 11's "should not have been listed", for a debt performed before publication.

    Art. 1 lists only debtors who have not performed, so a debt performed in full before the entry
    appeared is a ground to ask for its correction. The court decides to list before it publishes,
    so it may answer that its decision came first: the note says so. For a listing without a term
    the deadline is the one the model computes after performance (Art. 10 para. 1); a listing with
    a term has none (Art. 10 para. 2), so none is claimed.
    """
    ground = next((g for g in regime.correction.grounds if g.id == SHOULD_NOT_BE_LISTED), None) \
        if regime.correction is not None else None
    if ground is None or regime.correction is None:
        return []
    preamble = next((p for p in regime.preambles if facts.publish_date and p.in_force(facts.publish_date)), None)
    article = f"{regime.instrument(preamble.instrument).short} Art. {preamble.article}" if preamble else "Art. 1"
    note = (f"Our reading: the list is for debtors who have not performed ({article}), and you performed "
            f"in full on {facts.performed_date}. The court decides to list before it publishes, so ask for "
            "its listing decision (决定书): if that decision came after you performed, it should not have "
            "been made.")
    return [ExitRoute(id="performed_before_listing", kind="contest", applies=True,
                      text=f"{ground.en}: the obligations were performed in full on {facts.performed_date}, "
                           f"before the entry was published on {facts.publish_date}",
                      deadline=v.removal_deadline, deadline_basis=v.removal_deadline_basis if v.removal_deadline
                      else None, source=regime.correction.source, evidence=regime.correction.evidence,
                      note=note)]
