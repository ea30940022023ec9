"""Sesame Credit as the 2015 press described it: golden cases, the network pull, properties.

The point sizes are Scorewatch's illustrative choices (10 per purchase or post, -30 for ten or
more hours of gaming a day, contact weight alpha = 0.3); the tests check that the regime says so.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchdog.model.counterfactual import counterfactual
from watchdog.model.loader import load_citations, load_regime
from watchdog.model.score import score
from watchdog.model.scoring_schema import DescribedRegime


@cache
def regime() -> DescribedRegime:
    loaded = load_regime("sesame_2015_described")
    assert isinstance(loaded, DescribedRegime)
    return loaded


def test_every_claim_cites_a_seed_and_is_disputed_where_denied() -> None:
    r = regime()
    citations = load_citations()
    for item in (*r.signals, r.network, *r.claims):
        assert item is not None
        cited = [item.source, *item.see_also]
        assert any(citations[c].seed and citations[c].seed.startswith("seeds/") for c in cited) or \
            item.source == "extra_credits_2015_transcript", item
        if any(resp.stance == "denies" for resp in item.responses):
            assert item.evidence == "disputed", item
    gaming = next(s for s in r.signals if s.id == "video_gaming_hours")
    assert gaming.evidence == "secondary" and gaming.responses[0].stance == "supports"
    assert all(s.points.source == "scorewatch_modelling_choices" for s in r.signals)
    assert r.network is not None and r.network.alpha.source == "scorewatch_modelling_choices"
    assert "none is a claim about any real system" in (r.simplification or "")


def test_nothing_given_is_the_baseline() -> None:
    result = score(regime(), {})
    assert (result.score, result.grade) == (550, "fair")
    assert result.contributions[0].source == "jing_daily_2015_visa"


def test_golden_case_with_posts_gaming_and_contacts() -> None:
    # Own: 550 - 2*10 - 30 (11 hours >= 10) = 500. Contacts 400, 700, 433: mean 511.
    # Mixed: 0.7*500 + 0.3*511 = 503.3 -> 503; the contacts' row is 0.3 x (511 - 500) = 3.3.
    # Pulls (with minus without): 0.3 x (s - 511) / 2 = -16.65, +28.35, -11.7.
    person = {"signals": {"sensitive_posts": 2, "video_gaming_hours": 11},
              "contacts": [{"id": "a", "score": 400}, {"id": "b", "score": 700}, {"id": "c", "score": 433}]}
    result = score(regime(), person)
    assert (result.score, result.grade) == (503, "poor")
    assert {c.id: c.value for c in result.contributions} == {
        "base": 550, "sensitive_posts": -20, "video_gaming_hours": -30,
        "contacts": Decimal("3.3"), "rounding": Decimal("-0.3")}
    assert sum(c.value for c in result.contributions) == 503
    assert {p.id: p.pull for p in result.pulls} == {
        "a": Decimal("-16.65"), "b": Decimal("28.35"), "c": Decimal("-11.7")}
    assert {r.id: r.applies for r in result.restrictions} == {
        "restricted_jobs": True, "childrens_schools": True, "slower_internet": True}
    assert all(r.evidence == "disputed" for r in result.restrictions)
    assert not any(p.applies for p in result.perks)


@pytest.mark.parametrize(("signals", "expected", "grade"), [
    ({"patriotic_purchases": 5, "state_media_shares": 3}, 630, "good"),     # 550 + 50 + 30
    ({"japanese_anime_purchases": 4}, 510, "poor"),                         # 550 - 40
    ({"video_gaming_hours": 9.5}, 550, "fair"),                             # below ten hours: nothing
    ({"video_gaming_hours": 10}, 520, "poor"),
    ({"patriotic_purchases": 10, "state_media_shares": 10}, 750, "excellent"),
])
def test_signals(signals: dict[str, float], expected: int, grade: str) -> None:
    result = score(regime(), {"signals": signals})
    assert (result.score, result.grade) == (expected, grade)


def test_own_score_is_held_in_range_before_mixing() -> None:
    result = score(regime(), {"base": 360, "signals": {"sensitive_posts": 5}})
    assert {c.id: c.value for c in result.contributions} == {"base": 360, "sensitive_posts": -50, "clamp": 40}
    assert result.score == 350


def person_strategy() -> st.SearchStrategy[dict[str, Any]]:
    count = st.integers(0, 30)
    return st.fixed_dictionaries({
        "base": st.integers(350, 950),
        "signals": st.fixed_dictionaries({
            "patriotic_purchases": count, "japanese_anime_purchases": count, "state_media_shares": count,
            "sensitive_posts": count, "video_gaming_hours": st.floats(0, 24)}),
        "contacts": st.lists(st.fixed_dictionaries({
            "id": st.text("abcdef", min_size=1, max_size=3),
            "score": st.floats(350, 950)}), max_size=12, unique_by=lambda c: c["id"]),
    })


@settings(max_examples=200, deadline=None)
@given(person=person_strategy())
def test_contributions_add_up_and_stay_in_range(person: dict[str, Any]) -> None:
    result = score(regime(), person)
    assert sum(c.value for c in result.contributions) == result.score
    assert 350 <= result.score <= 950
    network = sum(c.value for c in result.contributions if c.kind == "network")
    assert abs(network) <= Decimal("0.3") * 600


@settings(max_examples=150, deadline=None)
@given(person=person_strategy(), signal=st.sampled_from(["patriotic_purchases", "state_media_shares"]),
       more=st.integers(1, 10), lift=st.floats(0, 600))
def test_described_monotonicity(person: dict[str, Any], signal: str, more: int, lift: float) -> None:
    before = score(regime(), person)
    rewarded = {**person, "signals": {**person["signals"], signal: person["signals"][signal] + more}}
    assert score(regime(), rewarded).score >= before.score
    punished = {**person, "signals": {**person["signals"], "sensitive_posts": person["signals"]["sensitive_posts"] + more}}
    assert score(regime(), punished).score <= before.score
    # A contact with a higher score never lowers yours.
    if person["contacts"]:
        first = person["contacts"][0]
        raised = [{**first, "score": min(950.0, first["score"] + lift)}, *person["contacts"][1:]]
        assert score(regime(), {**person, "contacts": raised}).score >= before.score


def test_a_threshold_counts_once_and_shows_as_a_threshold() -> None:
    # -30 once at 10 hours a day or more: 11 hours is -30, not 11 x -30, and 9.5 hours is 0, not -0.
    rows = {h: next(c for c in score(regime(), {"signals": {"video_gaming_hours": h}}).contributions
                    if c.id == "video_gaming_hours") for h in (11, 9.5)}
    over, under = rows[11], rows[9.5]
    assert (over.value, over.count, over.at_least, over.once, over.per_unit) == (-30, 11, 10, -30, None)
    assert over.unit == "hours a day"
    assert under.value == 0 and not under.value.is_signed()   # Decimal("-0") would print "-0"
    assert (under.at_least, under.once, under.per_unit) == (10, -30, None)
    # A per-unit signal keeps count x per_unit.
    posts = next(c for c in score(regime(), {"signals": {"sensitive_posts": 3}}).contributions
                 if c.id == "sensitive_posts")
    assert (posts.value, posts.count, posts.per_unit, posts.at_least) == (-30, 3, -10, None)


def _without(person: dict[str, Any], cid: str) -> dict[str, Any]:
    return {**person, "contacts": [c for c in person["contacts"] if c["id"] != cid]}


@settings(max_examples=150, deadline=None)
@given(person=person_strategy())
def test_each_pull_agrees_with_what_dropping_that_contact_does(person: dict[str, Any]) -> None:
    result = score(regime(), person)
    assert [p.id for p in result.pulls] == [c["id"] for c in person["contacts"]]
    for pull in result.pulls:
        dropped = score(regime(), _without(person, pull.id))
        # Whole points can tie after rounding; they never move against the pull's sign.
        if pull.pull > 0:
            assert dropped.score <= result.score, (pull, dropped.score)
        elif pull.pull < 0:
            assert dropped.score >= result.score, (pull, dropped.score)
        else:
            assert dropped.score == result.score


def test_the_way_up_drops_only_contacts_pulling_down_at_that_point() -> None:
    # The reviewer's case: 550 - 20 = 530 own, contacts 800, 400, 620. The way up drops b, then c;
    # b pulls down with all three there, and c once b is gone (c's +2 with b there turns to -27).
    person = {"signals": {"sensitive_posts": 2},
              "contacts": [{"id": "a", "score": 800}, {"id": "b", "score": 400}, {"id": "c", "score": 620}]}
    move = counterfactual(regime(), person)
    dropped = [c.input.split(".", 1)[1] for c in move.changes if c.input.startswith("contacts.")]
    assert dropped == ["b", "c"]
    left = person
    for cid in dropped:
        pulls = {p.id: p.pull for p in score(regime(), left).pulls}
        assert pulls[cid] < 0, (cid, pulls)
        left = _without(left, cid)
    how = {c.input: c.how for c in move.changes}
    assert how["contacts.c"] == ("c (620) is below the mean of your contacts once b is dropped (710), "
                                 "so without them your score rises")
