"""Counterfactuals (what would move a person up) and how a court listing ends."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchdog.model.counterfactual import STEP, counterfactual, listing_exit
from watchdog.model.facts import ListingFacts
from watchdog.model.loader import load_regime
from watchdog.model.schema import ListRegime
from watchdog.model.score import score
from watchdog.model.scoring_schema import ScoringRegime, WeightedRegime


@cache
def regime(rid: str) -> ScoringRegime:
    loaded = load_regime(rid)
    assert not isinstance(loaded, ListRegime)
    return loaded


def test_fico_needs_four_steps_of_payment_history() -> None:
    # 300 + 550 * (.35*.5 + .30*.5 + .15*.2 + .10*.5 + .10*.5) = 550.25 -> 550, poor. Fair needs an
    # exact 579.5: 29.25 more. A 0.05 step of payment history is worth 9.625, the most of any, so
    # three steps (28.875) fall short and four (38.5) reach 588.75 -> 589.
    person = {"dimensions": {"payment_history": 0.5, "amounts_owed": 0.5, "length_of_history": 0.2,
                             "credit_mix": 0.5, "new_credit": 0.5}}
    cf = counterfactual(regime("fico"), person)
    assert (cf.band_before, cf.target_band, cf.reachable, cf.score_after, cf.band_after) == (
        "poor", "fair", True, 589, "fair")
    assert [(c.input, c.before, c.after) for c in cf.changes] == [
        ("dimensions.payment_history", Decimal("0.5"), Decimal("0.7"))]


def test_length_of_history_is_never_changed() -> None:
    person = {"dimensions": {"payment_history": 1, "amounts_owed": 1, "length_of_history": 0,
                             "credit_mix": 1, "new_credit": 1}}
    # 300 + 550 * 0.85 = 767.5 -> 768, very good; exceptional (800) would need length of history.
    cf = counterfactual(regime("fico"), person)
    assert (cf.score_before, cf.target_band, cf.reachable) == (768, "exceptional", False)


def test_zhima_target_is_reached_under_both_weight_sets() -> None:
    person = {"dimensions": dict.fromkeys(
        ["credit_history", "behaviour_preference", "fulfilment_capacity", "identity_traits", "connections"], 0.3)}
    cf = counterfactual(regime("zhima"), person)
    # 530 under both sets; fair needs 549.5: two steps of credit history (35% in both) = 21 -> 551.
    assert (cf.score_before, cf.target_band, cf.reachable, cf.score_after) == (530, "fair", True, 551)
    assert [c.input for c in cf.changes] == ["dimensions.credit_history"]
    assert cf.changes[0].source == "china_daily_hk_2018_zhima"


def test_explicit_target_band_and_top_band() -> None:
    person = {"dimensions": dict.fromkeys(
        ["credit_history", "behaviour_preference", "fulfilment_capacity", "identity_traits", "connections"], 0.3)}
    cf = counterfactual(regime("zhima"), person, target_band="excellent")
    assert cf.reachable and cf.score_after is not None and cf.score_after >= 700
    top = counterfactual(regime("zhima"), {"dimensions": {k: 1 for k in person["dimensions"]}})
    assert (top.reachable, top.reason) == (False, "already in the top band")
    with pytest.raises(ValueError, match="target band 'gold' is not a band of zhima"):
        counterfactual(regime("zhima"), person, target_band="gold")


def test_where_the_weight_sets_disagree_on_the_band_the_way_up_aims_above_both() -> None:
    # Set A gives 709 (excellent), set B 694 (very good): the person is sure of "very good" only.
    person = {"dimensions": {"credit_history": 0.55, "behaviour_preference": 0.9,
                             "fulfilment_capacity": 0.4, "identity_traits": 0.5, "connections": 0.5}}
    now = score(regime("zhima"), person)
    assert (now.grade, now.range.low_band, now.range.high_band) == ("excellent", "very_good", "excellent")
    cf = counterfactual(regime("zhima"), person)
    assert (cf.target_band, cf.reachable) == ("excellent", True)
    after = score(regime("zhima"), {**person, "dimensions": {
        **person["dimensions"], **{c.input.split(".")[1]: float(c.after) for c in cf.changes}}})
    assert after.range.low_band == "excellent" and after.range.low >= 700


def test_a_grade_set_by_a_condition_is_not_reached_by_no_change() -> None:
    # A new firm with 97 points is graded M, ahead of A: no change of points makes it A.
    firm = {"events": [{"code": "recorded_deduction", "count": 3}],
            "signals": {"new_or_no_income": True, "listed_dishonesty": False}}
    cf = counterfactual(regime("cn_tax_credit"), firm)
    assert (cf.band_before, cf.target_band, cf.reachable, cf.changes) == ("M", "A", False, [])
    assert cf.reason.startswith("grade M applies while new_or_no_income holds")


def test_rongcheng_counterfactuals() -> None:
    # The only documented reward, a heroic act, is not something anyone can plan: no route up.
    clean = counterfactual(regime("rongcheng"), {})
    assert (clean.target_band, clean.reachable, clean.changes, clean.score_after) == ("AA", False, [], None)
    assert clean.reason == ("no documented way to add points is something a person can plan (A heroic act), "
                            "so no change reaches AA")
    golden = counterfactual(regime("rongcheng"), {"events": [{"code": "bank_arrears_month", "count": 3},
                                                             {"code": "sued_found_in_breach"}]})
    assert (golden.band_before, golden.target_band, golden.reachable) == ("B", "A", False)
    drunk = counterfactual(regime("rongcheng"), {"events": [{"code": "drunk_driving"}]})
    assert not drunk.reachable and "set directly by 'drunk_driving'" in drunk.reason


def test_regimes_without_bands_or_actions() -> None:
    tencent = counterfactual(regime("tencent"), {"dimensions": dict.fromkeys(
        ["fulfilment", "security", "wealth", "consumption", "social"], 0.5)})
    assert (tencent.reachable, tencent.reason) == (False, "no bands are documented")
    tax = counterfactual(regime("cn_tax_credit"), {"events": [{"code": "recorded_deduction", "count": 15}]})
    assert (tax.band_before, tax.target_band, tax.reachable) == ("B", "A", False)


def test_described_system_pushes_towards_conformity() -> None:
    person = {"signals": {"sensitive_posts": 2, "video_gaming_hours": 11},
              "contacts": [{"id": "a", "score": 400}, {"id": "b", "score": 700}, {"id": "c", "score": 433}]}
    cf = counterfactual(regime("sesame_2015_described"), person)
    assert (cf.score_before, cf.target_band, cf.reachable) == (503, "fair", True)
    assert cf.score_after is not None and cf.score_after >= 550
    inputs = {c.input for c in cf.changes}
    assert inputs <= {"signals.sensitive_posts", "signals.video_gaming_hours", "contacts.a", "contacts.c",
                      "signals.patriotic_purchases", "signals.state_media_shares"}
    assert "contacts.b" not in inputs   # dropping the high-scoring contact would lower the score
    assert cf.restrictions_lifted == ["restricted_jobs", "childrens_schools", "slower_internet"]
    assert cf.perks_gained == []


def _exact(r: WeightedRegime, values: dict[str, Decimal]) -> list[Decimal]:
    span = r.range.max - r.range.min
    return [r.range.min + span * sum(v.weights[d] * x for d, x in values.items()) for v in r.weight_variants]


@settings(max_examples=40, deadline=None)
@given(rid=st.sampled_from(["fico", "zhima"]),
       values=st.lists(st.integers(0, 20).map(lambda k: k / 20), min_size=5, max_size=5))
def test_weighted_counterfactual_reaches_its_band_with_the_fewest_steps(rid: str, values: list[float]) -> None:
    r = regime(rid)
    assert isinstance(r, WeightedRegime)
    names = [d.id for d in r.dimensions]
    person: dict[str, Any] = {"dimensions": dict(zip(names, values, strict=True))}
    cf = counterfactual(r, person)
    if cf.target_band is None:
        return
    target = r.band(cf.target_band)
    steps = {c.input.split(".")[1]: round((c.after - c.before) / STEP) for c in cf.changes if c.after is not None}
    if cf.reachable:
        assert cf.score_after is not None and target.min is not None
        after = score(r, {"dimensions": {d: float(Decimal(str(v)) + steps.get(d, 0) * STEP) for d, v in
                                         zip(names, values, strict=True)}})
        assert after.range.low >= target.min
    actionable = [d.id for d in r.dimensions if d.actionable and person["dimensions"][d.id] < 1]
    base = {d: Decimal(str(v)) for d, v in person["dimensions"].items()}
    if not cf.reachable:
        # Even every actionable dimension at its best falls short under some weight set.
        best = {**base, **dict.fromkeys(actionable, Decimal(1))}
        assert target.min is not None and min(_exact(r, best)) < target.min - Decimal("0.5")
        return
    found = sum(steps.values())
    if found > 12:
        return  # brute force below is exhaustive only for small searches
    # Brute force: no allocation with fewer steps reaches the band under every weight set.
    for ks in itertools.product(range(found), repeat=len(actionable)):
        if sum(ks) >= found:
            continue
        trial = dict(base)
        for d, k in zip(actionable, ks, strict=True):
            trial[d] = min(Decimal(1), base[d] + k * STEP)
        assert target.min is not None and min(_exact(r, trial)) < target.min - Decimal("0.5"), (ks, cf)

COURT = ListingFacts(party_type="person", circumstances=["违反财产报告制度"], publish_date=date(2017, 11, 26),
                     age=40, court="某某区人民法院", id_mask="masked")


@cache
def court() -> ListRegime:
    loaded = load_regime("cn_court_dishonest_list")
    assert isinstance(loaded, ListRegime)
    return loaded


ABILITY = ["有履行能力而拒不履行生效法律文书确定义务"]


def test_listing_with_a_term_ends_at_its_term_or_early_at_the_courts_discretion() -> None:
    # Asset-reporting breach (c4): two years from 26 Nov 2017, deleted within 3 working days of
    # its end. Art. 10's grounds (performance, settlement, ...) do not apply to it.
    exit_ = listing_exit(court(), COURT, date(2018, 6, 1))
    routes = {r.id: r for r in exit_.routes}
    assert list(routes) == ["term_expiry", "early_removal"]
    assert routes["term_expiry"].applies is False
    assert routes["term_expiry"].deadline == date(2019, 11, 29)     # Tue 26 Nov + 3 working days
    assert routes["term_expiry"].deadline_basis == "official calendar"
    assert "2022-11-26" in (routes["term_expiry"].note or "")     # the longest extension
    assert exit_.court == "某某区人民法院"
    performed = listing_exit(court(), COURT.model_copy(update={"performed_date": date(2018, 3, 2)}),
                             date(2018, 6, 1))
    routes = {r.id: r for r in performed.routes}
    assert "removal_overdue" not in routes and "full_performance" not in routes
    assert "may delete it early" in (routes["early_removal"].note or "")


def test_listing_without_a_term_ends_on_any_of_the_seven_grounds() -> None:
    facts = COURT.model_copy(update={"circumstances": ABILITY})
    routes = {r.id: r for r in listing_exit(court(), facts, date(2018, 6, 1)).routes}
    assert list(routes) == ["full_performance", "settlement_performed", "creditor_consent",
                            "no_property_found", "enforcement_suspended", "not_enforced",
                            "enforcement_terminated", "term_expiry", "early_removal"]
    assert routes["full_performance"].applies is None  # no performance date given
    assert routes["term_expiry"].applies is False       # no term ends this one
    assert "six months" in (routes["creditor_consent"].note or "")
    performed = listing_exit(court(), facts.model_copy(update={"performed_date": date(2018, 3, 2)}),
                             date(2018, 6, 1))
    routes = {r.id: r for r in performed.routes}
    assert (routes["full_performance"].applies, routes["full_performance"].deadline) == (True, date(2018, 3, 7))
    assert routes["removal_overdue"].kind == "contest"
    assert routes["full_performance"].deadline_basis == routes["removal_overdue"].deadline_basis \
        == "official calendar"
    assert routes["creditor_consent"].deadline_basis is None  # no deadline, no basis


def test_a_deadline_past_the_calendar_data_says_it_counted_weekdays_only() -> None:
    from watchdog.model.workdays import holiday_data_years

    last = holiday_data_years()[1]
    # Performed on 30 December of the last year covered: the three days run into the next year.
    facts = COURT.model_copy(update={"circumstances": ABILITY, "performed_date": date(last, 12, 30)})
    routes = {r.id: r for r in listing_exit(court(), facts, date(last + 1, 3, 1)).routes}
    performed = routes["full_performance"]
    assert performed.deadline is not None and performed.deadline.year == last + 1
    assert performed.deadline_basis == f"weekdays only (no holiday data for {last + 1})"
    assert routes["removal_overdue"].deadline_basis == performed.deadline_basis


def test_listing_without_term_or_ground_can_be_contested() -> None:
    refusal = listing_exit(court(), COURT.model_copy(update={"circumstances": ["有履行能力而拒不履行生效法律文书确定义务"]}),
                           date(2025, 1, 1))
    term = next(r for r in refusal.routes if r.id == "term_expiry")
    assert (term.applies, term.note) == (False, "Listed until the obligations are performed")
    minor = listing_exit(court(), COURT.model_copy(update={"age": 16, "circumstances": ["不明情形"]}),
                         date(2018, 1, 1))
    contest = {r.id: r for r in minor.routes if r.kind == "contest"}
    assert set(contest) == {"no_lawful_ground", "excluded:minor"}
    assert contest["excluded:minor"].applies is True
    old = listing_exit(court(), COURT, date(2023, 1, 1))
    # The longest term ends on Sat 26 Nov 2022; the entry had to go 3 working days later.
    longest = next(r for r in old.routes if r.id == "past_longest_term")
    assert (longest.deadline, longest.deadline_basis) == (date(2022, 11, 30), "official calendar")


@pytest.mark.parametrize("circumstances", [ABILITY, ["违反财产报告制度"]])
def test_performance_before_publication_is_a_ground_to_contest(circumstances: list[str]) -> None:
    facts = COURT.model_copy(update={"circumstances": circumstances, "publish_date": date(2019, 3, 7),
                                     "performed_date": date(2018, 1, 1)})
    exit_ = listing_exit(court(), facts, date(2026, 11, 20))
    routes = {r.id: r for r in exit_.routes}
    ground = routes["performed_before_listing"]
    assert (ground.kind, ground.applies) == ("contest", True)
    assert ground.text == ("The party should not have been listed: the obligations were performed in full on "
                           "2018-01-01, before the entry was published on 2019-03-07")
    assert (ground.source, ground.evidence) == ("spc_2017_correction_court_site", "verified")
    assert "have not performed" in (ground.note or "")
    without_term = circumstances == ABILITY
    # Without a term, deletion on performance was due 3 working days after it (Tue 2 Jan 2018,
    # counting from the New Year holiday); a listing with a term has no such deadline.
    assert ground.deadline == (date(2018, 1, 4) if without_term else None)
    if not without_term:
        assert "before the entry was published" in (routes["early_removal"].note or "")
    # Performed after publication: no such ground.
    later = listing_exit(court(), facts.model_copy(update={"performed_date": date(2019, 6, 3)}), date(2026, 11, 20))
    assert "performed_before_listing" not in {r.id for r in later.routes}
