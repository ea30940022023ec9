"""Weighted scores (zhima, fico, tencent): golden cases worked by hand, and properties.

Hand rule: score = min + (max - min) * sum(weight * standing), rounded half up.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchdog.model.loader import load_regime
from watchdog.model.score import score
from watchdog.model.scoring_schema import WeightedRegime

FICO_DIMS = ["payment_history", "amounts_owed", "length_of_history", "credit_mix", "new_credit"]
ZHIMA_DIMS = ["credit_history", "behaviour_preference", "fulfilment_capacity", "identity_traits", "connections"]
TENCENT_DIMS = ["fulfilment", "security", "wealth", "consumption", "social"]


@cache
def regime(rid: str) -> WeightedRegime:
    loaded = load_regime(rid)
    assert isinstance(loaded, WeightedRegime)
    return loaded


def dims(names: list[str], *values: float) -> dict[str, dict[str, float]]:
    return {"dimensions": dict(zip(names, values, strict=True))}


def test_fico_golden_case() -> None:
    # 0.35*0.8 + 0.30*0.6 + 0.15*0.5 + 0.10*0.7 + 0.10*0.9 = 0.695; 300 + 550*0.695 = 682.25 -> 682.
    result = score(regime("fico"), dims(FICO_DIMS, 0.8, 0.6, 0.5, 0.7, 0.9))
    assert (result.score, result.grade) == (682, "good")
    values = {c.id: c.value for c in result.contributions}
    assert values == {"range_min": 300, "payment_history": 154, "amounts_owed": 99,
                      "length_of_history": Decimal("41.25"), "credit_mix": Decimal("38.5"),
                      "new_credit": Decimal("49.5"), "rounding": Decimal("-0.25")}
    assert sum(values.values()) == 682
    assert result.contributions[1].source == "nfcc_how_am_i_scored"
    assert result.contributions[1].evidence == "verified"
    assert (result.range.low, result.range.high) == (682, 682)


@pytest.mark.parametrize(("standing", "expected", "band"), [
    (0.0, 300, "poor"), (0.5, 575, "poor"), (0.6, 630, "fair"), (0.7, 685, "good"),
    (0.8, 740, "very_good"), (0.9, 795, "very_good"), (1.0, 850, "exceptional"),
])
def test_fico_bands(standing: float, expected: int, band: str) -> None:
    result = score(regime("fico"), dims(FICO_DIMS, *[standing] * 5))
    assert (result.score, result.grade) == (expected, band)


def test_zhima_golden_case_ranges_over_both_weight_sets() -> None:
    # Set A: .35*.9 + .25*.7 + .20*.5 + .15*.6 + .05*.4 = 0.70 -> 350 + 600*0.70 = 770.
    # Set B: .35*.9 + .20*.7 + .25*.5 + .15*.6 + .05*.4 = 0.69 -> 764.
    result = score(regime("zhima"), dims(ZHIMA_DIMS, 0.9, 0.7, 0.5, 0.6, 0.4))
    assert (result.score, result.grade) == (770, "excellent")
    assert result.range.by_variant == {"variant_a": 770, "variant_b": 764}
    assert (result.range.low, result.range.high) == (764, 770)
    assert result.contributions[2].evidence == "disputed"
    perks = {p.id: p.applies for p in result.perks}
    assert perks["singapore_visa_alitrip"] is True            # >= 700
    assert perks["canada_visitor_visa_report"] is True        # >= 750
    assert perks["suzhou_public_bike_no_deposit"] is None     # needs no_bad_record_5y, not given
    assert perks["baihe_dating_badge"] is None                # no threshold documented


def test_zhima_middle_standing_and_thresholds() -> None:
    result = score(regime("zhima"), dims(ZHIMA_DIMS, *[0.5] * 5))
    assert (result.score, result.grade, result.range.low, result.range.high) == (650, "very_good", 650, 650)
    perks = {p.id: p for p in result.perks}
    assert perks["singapore_visa_alitrip"].applies is False
    assert perks["singapore_visa_alitrip"].reason == "needs 700 or more; the score is 650"
    assert perks["domestic_car_rental_no_deposit"].applies is True
    assert perks["domestic_car_rental_no_deposit"].evidence == "disputed"


@pytest.mark.parametrize(("fact", "expected"), [(True, True), (False, False)])
def test_zhima_suzhou_bike_needs_a_clean_record(fact: bool, expected: bool) -> None:
    # credit history 1 -> 210, identity 0.5 -> 45: 350 + 255 = 605 under both sets.
    person = dims(ZHIMA_DIMS, 1, 0, 0, 0.5, 0) | {"signals": {"no_bad_record_5y": fact}}
    result = score(regime("zhima"), person)
    assert (result.score, result.grade) == (605, "good")
    assert next(p for p in result.perks if p.id == "suzhou_public_bike_no_deposit").applies is expected


def test_tencent_unknown_weights_range_over_every_weighting() -> None:
    # Equal weights: 0.2 * (4*0.6 + 1) = 0.68 -> 300 + 550*0.68 = 674. Extremes: 0.6 -> 630, 1 -> 850.
    result = score(regime("tencent"), dims(TENCENT_DIMS, 0.6, 0.6, 0.6, 0.6, 1.0))
    assert (result.score, result.band) == (674, None)
    assert (result.range.low, result.range.high) == (630, 850)
    assert result.contributions[1].source == "scorewatch_modelling_choices"
    assert result.contributions[1].evidence == "low"
    assert any("every possible weighting" in n for n in result.notes)


standing = st.floats(min_value=0, max_value=1, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(rid=st.sampled_from(["fico", "zhima", "tencent"]), values=st.lists(standing, min_size=5, max_size=5))
def test_contributions_add_up_and_scores_stay_in_range(rid: str, values: list[float]) -> None:
    r = regime(rid)
    result = score(r, {"dimensions": dict(zip([d.id for d in r.dimensions], values, strict=True))})
    assert sum(c.value for c in result.contributions) == result.score
    assert r.range.min <= result.range.low <= result.score <= result.range.high <= r.range.max
    assert all(abs(c.value) <= Decimal("0.5") for c in result.contributions if c.kind == "rounding")


@settings(max_examples=150, deadline=None)
@given(rid=st.sampled_from(["fico", "zhima", "tencent"]), values=st.lists(standing, min_size=5, max_size=5),
       which=st.integers(0, 4), extra=standing)
def test_raising_a_dimension_never_lowers_the_score(rid: str, values: list[float], which: int,
                                                     extra: float) -> None:
    r = regime(rid)
    names = [d.id for d in r.dimensions]
    before = score(r, {"dimensions": dict(zip(names, values, strict=True))})
    values[which] = max(values[which], extra)
    after = score(r, {"dimensions": dict(zip(names, values, strict=True))})
    assert after.score >= before.score
    for variant, points in before.range.by_variant.items():
        assert after.range.by_variant[variant] >= points
    if before.band and after.band:
        assert r.band_rank(after.band.id) <= r.band_rank(before.band.id)


def test_a_perk_is_not_granted_before_it_was_announced() -> None:
    person = {"dimensions": dict.fromkeys(["credit_history", "behaviour_preference",
                                            "fulfilment_capacity", "identity_traits",
                                            "connections"], 0.8),
              "signals": {"no_bad_record_5y": True}}
    zhima = load_regime("zhima")
    perks = {g.id: g for g in score(zhima, {**person, "as_of": "2016-06-01"}).perks}
    # Announced 2018-11 and 2016-11: not yet; announced 2015-06: yes.
    assert perks["canada_visitor_visa_report"].applies is False
    assert "announced 2018-11" in perks["canada_visitor_visa_report"].reason
    assert perks["suzhou_public_bike_no_deposit"].applies is False
    assert perks["singapore_visa_alitrip"].applies is True
    later = {g.id: g for g in score(zhima, {**person, "as_of": "2016-11-01"}).perks}
    assert later["suzhou_public_bike_no_deposit"].applies is True  # the month it was announced


def test_before_the_system_launched_nothing_is_granted() -> None:
    person = {"dimensions": dict.fromkeys(["credit_history", "behaviour_preference",
                                            "fulfilment_capacity", "identity_traits",
                                            "connections"], 0.9), "as_of": "2014-06-01"}
    result = score(load_regime("zhima"), person)
    assert not any(g.applies for g in result.perks)
    assert all("the system started on 2015-01-28" in g.reason for g in result.perks)
    assert any("did not exist yet" in n for n in result.notes)
    after = score(load_regime("zhima"), {**person, "as_of": "2015-07-01"})
    assert any(g.applies for g in after.perks)  # the hotel and bike deposits, the visa
