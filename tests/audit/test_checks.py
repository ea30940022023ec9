"""Each check on hand-built facts that should and should not trigger it, against the real regime."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from watchdog.audit.checks import (
    CHECKS,
    CheckContext,
    FindingDraft,
    fully_performed,
    run_checks,
    span,
)
from watchdog.model import ListingFacts, load_regime, verdict

REGIME = load_regime("cn_court_dishonest_list")
PERSON_FIELDS = list(REGIME.published_fields.required_for("person"))
COMPANY_FIELDS = list(REGIME.published_fields.required_for("company"))
ASSET_REPORTING = "违反财产报告制度"  # c4: a 2-year term
ABILITY_BUT_REFUSES = "有履行能力而拒不履行生效法律文书确定义务"  # c1: no fixed term


def facts(**changes: Any) -> ListingFacts:
    """A person listed lawfully on 1 March 2019 (a Friday) with everything published."""
    base: dict[str, Any] = {
        "party_type": "person", "case_code": "(2019)京0101执123号",
        "circumstances": [ASSET_REPORTING], "publish_date": date(2019, 3, 1),
        "reg_date": date(2019, 1, 10), "age": 40, "birth_year": 1979, "sex": "M",
        "province": "北京", "court": "北京市东城区人民法院", "performance": "全部未履行",
        "id_mask": "masked", "fields_present": PERSON_FIELDS, "name_key": "k" * 64,
    }
    base.update(changes)
    return ListingFacts(**base)


def company(**changes: Any) -> ListingFacts:
    base: dict[str, Any] = {"party_type": "company", "age": None, "birth_year": None,
                            "sex": None, "name_key": None, "id_mask": "missing",
                            "fields_present": COMPANY_FIELDS, "legal_rep_key": "r" * 64}
    return facts(**{**base, **changes})


def run(check_id: str, f: ListingFacts, as_of: date, **context: Any) -> FindingDraft | None:
    ctx = CheckContext(regime=REGIME, as_of=as_of, **context)
    v = verdict(REGIME, f, as_of, is_legal_rep_of_listed_company=ctx.legal_rep_of_listed_company)
    return CHECKS[check_id].run(v, f, ctx)


def fired(f: ListingFacts, as_of: date, **context: Any) -> set[str]:
    ctx = CheckContext(regime=REGIME, as_of=as_of, **context)
    v = verdict(REGIME, f, as_of, is_legal_rep_of_listed_company=ctx.legal_rep_of_listed_company)
    return {c.id for c, _ in run_checks(v, f, ctx)}


# -- the registry ------------------------------------------------------------------------------

def test_every_check_is_registered_with_what_a_reader_needs():
    assert set(CHECKS) == {
        "no_lawful_circumstance", "past_legal_term", "past_maximum_term",
        "performed_not_removed", "minor_listed", "legal_rep_listed", "id_not_masked",
        "statutory_fields_missing"}
    exclusions = {e.id for e in REGIME.exclusions}
    for c in CHECKS.values():
        assert c.severity in ("high", "medium", "low")
        assert len(c.description) > 60 and c.description[0].isupper()
        section, _, item = c.rule.partition(".")
        assert hasattr(REGIME, section), c.rule
        if section == "exclusions":
            assert item in exclusions
    assert CHECKS["past_legal_term"].severity == "medium"
    assert CHECKS["past_maximum_term"].severity == "high"


def test_a_lawful_recent_listing_triggers_nothing():
    assert fired(facts(), date(2020, 6, 1)) == set()
    assert fired(company(), date(2020, 6, 1)) == set()


# -- no_lawful_circumstance --------------------------------------------------------------------

def test_no_circumstance_recorded():
    draft = run("no_lawful_circumstance", facts(circumstances=[]), date(2020, 1, 1))
    assert draft is not None
    assert draft.summary.startswith("No reason for listing was published")
    assert (draft.citation, draft.evidence) == ("spc_2017_provisions_clt", "verified")
    assert draft.detail == {"unmatched_phrases": []}


def test_unknown_phrase_is_reported_as_unmatched_not_as_missing():
    draft = run("no_lawful_circumstance", facts(circumstances=["欠钱不还"]), date(2020, 1, 1))
    assert draft is not None and "matches none of the six" in draft.summary
    assert draft.detail == {"unmatched_phrases": ["欠钱不还"]}


@pytest.mark.parametrize("phrase", [ASSET_REPORTING, "其它规避执行", f"{ABILITY_BUT_REFUSES}的"])
def test_known_circumstances_are_lawful_grounds(phrase):
    assert run("no_lawful_circumstance", facts(circumstances=[phrase]), date(2020, 1, 1)) is None


# -- past_legal_term / past_maximum_term -------------------------------------------------------

def test_past_term_waits_for_the_removal_working_days():
    f = facts()  # published Fri 1 Mar 2019; the 2-year term ends Mon 1 Mar 2021
    assert run("past_legal_term", f, date(2021, 3, 1)) is None
    assert run("past_legal_term", f, date(2021, 3, 4)) is None  # third working day after
    draft = run("past_legal_term", f, date(2021, 3, 5))
    assert draft is not None
    assert draft.summary == ("Listed 2 years after publication; the rule allows 2 years for this "
                             "circumstance, extendable by up to 3, and extensions are not "
                             "published.")


def test_past_term_wording_and_evidence():
    draft = run("past_legal_term", facts(), date(2022, 5, 10))
    assert draft is not None
    assert draft.summary.startswith("Listed 3 years 2 months after publication; the rule allows "
                                    "2 years for this circumstance, extendable by up to 3")
    assert (draft.citation, draft.evidence) == ("spc_2017_provisions_court_site", "verified")
    assert draft.detail["term_end"] == "2021-03-01"
    assert draft.detail["seen_listed_on"] == "2022-05-10"


def test_past_maximum_term_only_after_five_years():
    f = facts()
    assert fired(f, date(2023, 6, 1)) == {"past_legal_term"}
    assert run("past_maximum_term", f, date(2024, 3, 6)) is None  # 1 Mar 2024 + 3 working days
    assert fired(f, date(2024, 3, 7)) == {"past_legal_term", "past_maximum_term"}
    draft = run("past_maximum_term", f, date(2025, 3, 7))
    assert draft is not None
    assert draft.summary == ("Listed 6 years after publication; even with the longest extension "
                             "the rule allows 5 years for this circumstance.")


def test_term_on_a_listing_older_than_the_term_rule_says_it_is_our_reading():
    draft = run("past_maximum_term", facts(publish_date=date(2014, 6, 3)), date(2020, 1, 1))
    assert draft is not None
    assert draft.summary.endswith("The term comes from rules in force since 2017-05-01; applying "
                                  "it to this earlier listing is our reading of them.")


def test_no_fixed_term_for_ability_but_refuses():
    f = facts(circumstances=[ABILITY_BUT_REFUSES])
    assert not fired(f, date(2035, 1, 1)) & {"past_legal_term", "past_maximum_term"}
    # One ground without a fixed term keeps the whole listing open-ended.
    g = facts(circumstances=[ASSET_REPORTING, ABILITY_BUT_REFUSES])
    assert run("past_legal_term", g, date(2035, 1, 1)) is None


def test_no_term_without_a_publication_date():
    assert run("past_legal_term", facts(publish_date=None), date(2035, 1, 1)) is None


# -- performed_not_removed ---------------------------------------------------------------------
def untermed(**changes: Any) -> ListingFacts:
    """`facts` listed for ability but refusal: no term, so Art. 10's deletion grounds apply."""
    return facts(**{"circumstances": [ABILITY_BUT_REFUSES], **changes})


def test_a_listing_with_a_term_may_stay_after_performance_until_the_term_ends():
    # Asset reporting (two years): Art. 10's grounds do not apply to it, with or without a date.
    termed = facts(performance="全部履行", performed_date=date(2020, 1, 3))
    assert run("performed_not_removed", termed, date(2020, 6, 1)) is None
    assert run("performed_not_removed", facts(performance="全部履行"), date(2020, 6, 1),
               performed_seen=date(2020, 1, 3)) is None
    # The same listing on ability-but-refusal is overdue.
    assert run("performed_not_removed", untermed(performance="全部履行",
                                                   performed_date=date(2020, 1, 3)),
               date(2020, 6, 1)) is not None
    # On both grounds it may carry the term: not checked, rather than accuse a court wrongly.
    both = facts(circumstances=[f"{ABILITY_BUT_REFUSES},{ASSET_REPORTING}"], performance="全部履行",
                 performed_date=date(2020, 1, 3))
    assert run("performed_not_removed", both, date(2020, 6, 1)) is None


def test_performed_on_a_stated_date():
    f = untermed(performance="全部履行", performed_date=date(2020, 1, 3))  # a Friday
    assert run("performed_not_removed", f, date(2020, 1, 8)) is None  # Wednesday: the deadline
    draft = run("performed_not_removed", f, date(2020, 1, 9))
    assert draft is not None
    assert draft.summary == ("The record says the obligations were fully performed on 2020-01-03; "
                             "the rule requires removal within 3 working days, by 2020-01-08, "
                             "but it was still listed 1 day later.")
    assert (draft.citation, draft.evidence) == ("spc_2017_art10_maxlaw", "secondary")
    assert draft.detail["performed_date_basis"] == "record"


def test_performed_without_a_date_counts_from_the_first_crawl_that_saw_it():
    f = untermed(performance="全部履行")
    assert run("performed_not_removed", f, date(2024, 1, 1)) is None  # nothing to count from
    draft = run("performed_not_removed", f, date(2024, 7, 1), performed_seen=date(2024, 3, 1))
    assert draft is not None
    assert draft.summary.startswith("We first saw the listing marked as fully performed on "
                                    "2024-03-01 (the record gives no date)")
    assert draft.detail == {"performed_date": "2024-03-01",
                            "performed_date_basis": "first_seen_performed",
                            "removal_deadline": "2024-03-06",
                            "removal_deadline_calendar": "official calendar",
                            "seen_listed_on": "2024-07-01"}
    assert run("performed_not_removed", f, date(2024, 3, 6), performed_seen=date(2024, 3, 1)) is None


def test_a_court_is_not_overdue_while_the_national_day_holiday_runs():
    # Performed Friday 27 September 2024: Sunday 29 September was a make-up working day and
    # 1-7 October were holidays, so the third working day is Tuesday 8 October.
    f = untermed(performance="全部履行", performed_date=date(2024, 9, 27))
    assert run("performed_not_removed", f, date(2024, 10, 3)) is None
    assert run("performed_not_removed", f, date(2024, 10, 8)) is None
    draft = run("performed_not_removed", f, date(2024, 10, 9))
    assert draft is not None and draft.detail["removal_deadline"] == "2024-10-08"
    assert draft.detail["removal_deadline_calendar"] == "official calendar"
    assert "may be a few days early" not in draft.summary


def test_a_deadline_without_a_holiday_calendar_says_it_may_be_early():
    f = untermed(performance="全部履行", performed_date=date(2031, 3, 3))  # a Monday
    draft = run("performed_not_removed", f, date(2031, 4, 1))
    assert draft is not None and draft.detail["removal_deadline"] == "2031-03-06"
    assert draft.detail["removal_deadline_calendar"].startswith("weekdays only")
    assert draft.summary.endswith("the deadline may be a few days early.")


def test_performance_before_the_removal_rule_counts_from_its_start():
    f = untermed(publish_date=date(2014, 5, 5), performance="全部履行", performed_date=date(2016, 1, 4))
    assert run("performed_not_removed", f, date(2017, 5, 4)) is None
    draft = run("performed_not_removed", f, date(2017, 5, 5))
    assert draft is not None and draft.detail["removal_deadline"] == "2017-05-04"


@pytest.mark.parametrize("text,full", [("全部履行", True), ("已全部履行", True), ("履行完毕", True),
                                       ("全部未履行", False), ("部分未履行", False), (None, False)])
def test_what_counts_as_fully_performed(text, full):
    assert fully_performed(untermed(performance=text)) is full
    seen = date(2020, 1, 1)
    assert (run("performed_not_removed", untermed(performance=text), date(2021, 1, 1),
                performed_seen=seen) is not None) is full


# -- minor_listed ------------------------------------------------------------------------------

def test_minor_by_published_age():
    draft = run("minor_listed", facts(age=17, birth_year=2002), date(2020, 1, 1))
    assert draft is not None
    assert draft.summary == ("A person under 18 was listed (by the published age); the rules do "
                             "not allow listing minors.")
    assert (draft.citation, draft.evidence) == ("spc_2017_decision_copy_trklw", "secondary")
    assert draft.detail == {"basis": "published age", "published_age": 17}


def test_minor_by_birth_year_when_no_age_is_published():
    draft = run("minor_listed", facts(age=0, birth_year=2003), date(2020, 1, 1))
    assert draft is not None and draft.detail["basis"] == "birth year in the masked ID number"


def test_adults_and_companies_are_not_minors():
    assert run("minor_listed", facts(age=18, birth_year=2001), date(2020, 1, 1)) is None
    assert run("minor_listed", facts(age=0, birth_year=2001), date(2020, 1, 1)) is None  # maybe 18
    assert run("minor_listed", company(), date(2020, 1, 1)) is None


# -- legal_rep_listed --------------------------------------------------------------------------

def test_legal_rep_listed_after_the_2020_opinion():
    f = facts(publish_date=date(2021, 4, 1))
    draft = run("legal_rep_listed", f, date(2021, 6, 1), legal_rep_of_listed_company=True)
    assert draft is not None
    assert "since 2020-01-02" in draft.summary
    assert (draft.citation, draft.evidence) == ("spc_2019_opinion_laitimes", "secondary")
    assert run("legal_rep_listed", f, date(2021, 6, 1)) is None


def test_legal_rep_listed_before_the_opinion_is_not_a_finding():
    f = facts(publish_date=date(2019, 4, 1))
    assert run("legal_rep_listed", f, date(2021, 6, 1), legal_rep_of_listed_company=True) is None


# -- id_not_masked -----------------------------------------------------------------------------

def test_unmasked_and_malformed_ids():
    draft = run("id_not_masked", facts(id_mask="unmasked"), date(2020, 1, 1))
    assert draft is not None and "digits 11 to 14" in draft.summary
    assert (draft.citation, draft.evidence) == ("zxgk_portal_fields_code", "verified")
    draft = run("id_not_masked", facts(id_mask="malformed"), date(2020, 1, 1))
    assert draft is not None and draft.detail == {"id_mask": "malformed"}


@pytest.mark.parametrize("mask", ["masked", "missing"])
def test_masked_or_absent_ids_are_not_flagged(mask):
    assert run("id_not_masked", facts(id_mask=mask), date(2020, 1, 1)) is None


def test_company_codes_are_published_in_full_by_rule():
    assert run("id_not_masked", company(id_mask="unmasked"), date(2020, 1, 1)) is None


# -- statutory_fields_missing ------------------------------------------------------------------

def test_missing_fields_are_named_in_plain_words():
    present = [f for f in PERSON_FIELDS if f not in ("case_no", "court")]
    draft = run("statutory_fields_missing", facts(fields_present=present), date(2020, 1, 1))
    assert draft is not None
    assert draft.summary == ("2 of the 12 fields the rules require were not published: "
                             "Enforcement case number; Enforcing court.")
    assert draft.detail == {"missing_fields": ["case_no", "court"]}
    assert (draft.citation, draft.evidence) == ("spc_2017_provisions_clt", "verified")


def test_nothing_published_at_all():
    draft = run("statutory_fields_missing", facts(fields_present=[]), date(2020, 1, 1))
    assert draft is not None
    assert draft.summary.startswith("None of the 12 fields the rules require was published: Name; ")


def test_a_company_needs_its_own_fields():
    draft = run("statutory_fields_missing", company(fields_present=PERSON_FIELDS), date(2020, 1, 1))
    assert draft is not None and draft.detail == {"missing_fields": ["org_code", "legal_rep"]}


# -- wording -----------------------------------------------------------------------------------

def test_no_summary_carries_personal_data():
    """Everything fires at once; no summary may carry a key, a case number or an ID-like number."""
    f = facts(circumstances=[], age=16, birth_year=2003, id_mask="unmasked", fields_present=[],
              performance="全部履行", performed_date=date(2019, 6, 3),
              publish_date=date(2020, 2, 3))
    g = facts(publish_date=date(2013, 11, 1), age=16, birth_year=1997)
    drafts = []
    for one, ctx in ((f, {"legal_rep_of_listed_company": True}), (g, {})):
        v = verdict(REGIME, one, date(2026, 1, 1), is_legal_rep_of_listed_company=bool(ctx))
        drafts += run_checks(v, one, CheckContext(regime=REGIME, as_of=date(2026, 1, 1), **ctx))
    assert {c.id for c, _ in drafts} == set(CHECKS)
    for _, draft in drafts:
        assert "k" * 16 not in draft.summary and "执" not in draft.summary
        assert not re.search(r"\d{6,}", draft.summary)
        assert draft.summary.endswith(".") and not draft.summary[0].islower()


@pytest.mark.parametrize("start,end,text", [
    (date(2019, 3, 1), date(2022, 5, 10), "3 years 2 months"),
    (date(2019, 3, 1), date(2021, 3, 1), "2 years"),
    (date(2019, 3, 31), date(2019, 4, 30), "30 days"),
    (date(2019, 3, 1), date(2019, 4, 1), "1 month"),
    (date(2020, 1, 8), date(2020, 1, 9), "1 day"),
    (date(2019, 1, 15), date(2020, 3, 14), "1 year 1 month"),
])
def test_span_in_plain_words(start, end, text):
    assert span(start, end) == text
