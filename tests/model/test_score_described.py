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
    # Mixed: 0.7*500 + 0.3*511 = 503.3 -> 503. Pulls: 0.3*(s - 500)/3 = -10, +20, -6.7.
    person = {"signals": {"sensitive_posts": 2, "video_gaming_hours": 11},
              "contacts": [{"id": "a", "score": 400}, {"id": "b", "score": 700}, {"id": "c", "score": 433}]}
    result = score(regime(), person)
    assert (result.score, result.grade) == (503, "poor")
    assert {c.id: c.value for c in result.contributions} == {
        "base": 550, "sensitive_posts": -20, "video_gaming_hours": -30,
        "contact:a": -10, "contact:b": 20, "contact:c": Decimal("-6.7"), "rounding": Decimal("-0.3")}
    assert sum(c.value for c in result.contributions) == 503
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
            "score": st.floats(350, 950)}), max_size=12),
    })


@settings(max_examples=200, deadline=None)
@given(person=person_strategy())
def test_contributions_add_up_and_stay_in_range(person: dict[str, Any]) -> None:
    result = score(regime(), person)
    assert sum(c.value for c in result.contributions) == result.score
    assert 350 <= result.score <= 950
    pulls = sum(c.value for c in result.contributions if c.kind == "contact")
    assert abs(pulls) <= Decimal("0.3") * 600


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
