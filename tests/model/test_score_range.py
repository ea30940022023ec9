"""The range of a score and what it gates: a perk or grade that holds under one weight set (or one
recorded amount) but not another is said to depend on it, and a direct grade caps the whole range."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from watchdog.model.counterfactual import counterfactual
from watchdog.model.loader import load_regime
from watchdog.model.schema import ListRegime
from watchdog.model.score import score
from watchdog.model.scoring_schema import LedgerRegime, ScoringRegime, WeightedRegime

ZHIMA_DIMS = ["credit_history", "behaviour_preference", "fulfilment_capacity", "identity_traits", "connections"]
# The reviewer's case: credit history good, behaviour excellent, fulfilment very poor, identity
# and connections excellent. Set A: 350 + 600 x (.35*.75 + .25 + 0 + .15 + .05) = 777.5 -> 778;
# set B: 350 + 600 x (.35*.75 + .20 + 0 + .15 + .05) = 747.5 -> 748.
SPLIT = {"dimensions": dict(zip(ZHIMA_DIMS, [0.75, 1, 0, 1, 1], strict=True))}
VISAS = ["luxembourg_schengen_visa_alitrip", "canada_visitor_visa_report"]   # both need 750


@cache
def regime(rid: str) -> ScoringRegime:
    loaded = load_regime(rid)
    assert not isinstance(loaded, ListRegime)
    return loaded


def test_a_perk_one_weight_set_grants_and_the_other_does_not_depends_on_the_weight_set() -> None:
    result = score(regime("zhima"), SPLIT)
    assert (result.score, result.range.by_variant) == (778, {"variant_a": 778, "variant_b": 748})
    perks = {p.id: p for p in result.perks}
    for pid in VISAS:
        assert perks[pid].applies is None, perks[pid]
        assert perks[pid].depends_on == "the weight set"
        assert perks[pid].reason == ("depends on the weight set: it needs 750 or more, and the score is "
                                     "778 with variant_a, 748 with variant_b")
    # 700 or more under both sets: granted, and nothing depends on the weights.
    assert (perks["singapore_visa_alitrip"].applies, perks["singapore_visa_alitrip"].depends_on) == (True, None)
    assert perks["suzhou_public_bike_no_deposit"].applies is None     # a fact not given, as before
    assert perks["suzhou_public_bike_no_deposit"].depends_on is None


def test_a_grade_gated_perk_depends_on_the_recorded_amount() -> None:
    # Two heroic acts (+60) and "other" conduct (-5 to -50): 1055 (AAA) with -5, 1010 (A) with -50.
    person = {"events": [{"code": "heroic_act", "count": 2}, {"code": "other_commercial"}]}
    result = score(regime("rongcheng"), person)
    assert (result.score, result.range.low, result.range.high) == (1055, 1010, 1055)
    perk = next(p for p in result.perks if p.id == "aa_community_perks")
    assert (perk.applies, perk.depends_on) == (None, "the recorded amounts")
    assert perk.reason == ("depends on the recorded amounts: it needs grade AAA or AA, and the score "
                           "could be anywhere from 1010 to 1055")
    # A recorded amount given: no range, so the perk is settled.
    given_amount = score(regime("rongcheng"), {"events": [{"code": "heroic_act", "count": 2},
                                                          {"code": "other_commercial", "points": -50}]})
    assert next(p for p in given_amount.perks if p.id == "aa_community_perks").applies is False


def test_range_bands_honour_a_direct_grade() -> None:
    drunk = score(regime("rongcheng"), {"events": [{"code": "drunk_driving"}]})
    assert (drunk.grade, drunk.range.low_band, drunk.range.high_band) == ("C", "C", "C")
    tax = score(regime("cn_tax_credit"), {"events": [{"code": "serious_dishonesty"}]})
    assert (tax.grade, tax.range.low_band, tax.range.high_band) == ("D", "D", "D")
    # With a span the low end can be worse than the direct grade: the worse of the two counts.
    spread = score(regime("rongcheng"), {"events": [{"code": "drunk_driving"},
                                                    {"code": "other_commercial", "count": 9}]})
    # 1000 - 9 x 5 = 955 (B, capped to C); 1000 - 9 x 50 = 550 (D).
    assert (spread.grade, spread.range.low_band, spread.range.high_band) == ("C", "D", "C")


def test_counterfactual_counts_a_perk_as_gained_only_under_every_weight_set() -> None:
    # 515 (set A) and 500 (set B); excellent (700) under both takes credit history from 0 to 0.95:
    # then 715 and 700, so the Yesaway perk (701 or more) holds under set A only.
    person = {"dimensions": dict(zip(ZHIMA_DIMS, [0, 0.5, 0, 1, 0], strict=True))}
    cf = counterfactual(regime("zhima"), person, target_band="excellent")
    assert cf.reachable
    after = score(regime("zhima"), _applied(person, cf))
    assert after.range.by_variant == {"variant_a": 715, "variant_b": 700}
    assert "overseas_car_rental_no_deposit_yesaway" not in cf.perks_gained
    assert cf.perks_depending == ["overseas_car_rental_no_deposit_yesaway"]
    assert "singapore_visa_alitrip" in cf.perks_gained


def _applied(person: dict[str, Any], cf: Any) -> dict[str, Any]:
    dims = dict(person["dimensions"])
    for change in cf.changes:
        dims[change.input.split(".", 1)[1]] = float(change.after)
    return {**person, "dimensions": dims}


@settings(max_examples=150, deadline=None)
@given(rid=st.sampled_from(["zhima", "fico", "tencent"]),
       values=st.lists(st.integers(0, 20).map(lambda k: k / 20), min_size=5, max_size=5))
def test_a_score_gate_is_settled_only_when_every_variant_agrees(rid: str, values: list[float]) -> None:
    r = regime(rid)
    assert isinstance(r, WeightedRegime)
    result = score(r, {"dimensions": dict(zip([d.id for d in r.dimensions], values, strict=True))})
    for gate, outcome in zip(r.perks, result.perks, strict=True):
        if gate.min_score is None or gate.requires or not gate.documented:
            continue
        if result.range.low >= gate.min_score:
            assert outcome.applies is True
        elif result.range.high < gate.min_score:
            assert outcome.applies is False
        else:
            assert (outcome.applies, outcome.depends_on) == (None, "the weight set" if not r.weights_unknown
                                                             else "the unpublished weights")


@settings(max_examples=150, deadline=None)
@given(rid=st.sampled_from(["rongcheng", "cn_tax_credit"]), data=st.data())
def test_range_bands_are_never_better_than_a_direct_grade(rid: str, data: st.DataObject) -> None:
    r = regime(rid)
    assert isinstance(r, LedgerRegime)
    codes = data.draw(st.lists(st.sampled_from([rule.id for rule in r.rules]), unique=True, max_size=5))
    person = {"events": [{"code": c, "count": data.draw(st.integers(0, 30))} for c in codes]}
    result = score(r, person)
    worst_direct = max((r.band_rank(rule.direct_grade) for rule in r.rules
                        if rule.direct_grade and any(e["code"] == rule.id and e["count"] for e in person["events"])),
                       default=None)
    for band in (result.range.low_band, result.range.high_band, result.grade):
        if worst_direct is not None and band is not None:
            assert r.band_rank(band) >= worst_direct, (band, result)
    assert Decimal(result.range.low) <= result.score <= result.range.high


# The reviewer's case: set A 707 (excellent), set B 677 (very good); equally likely.
REVIEWED = {"dimensions": dict(zip(ZHIMA_DIMS, [0.7, 1, 0, 0.5, 0.5], strict=True))}


def test_with_several_weight_sets_the_range_leads_and_each_set_is_named() -> None:
    result = score(regime("zhima"), REVIEWED)
    assert (result.range.low, result.range.high) == (677, 707)
    assert result.range.bands == {"variant_a": "excellent", "variant_b": "very_good"}
    # The shown figure is said to be one weight set's, and its contributions add up to it.
    assert (result.shown_for, result.several_weight_sets, result.score) == ("variant_a", True, 707)
    assert sum(c.value for c in result.contributions) == result.range.by_variant[result.shown_for]
    # In the JSON the range comes before the one set's figure.
    keys = list(result.model_dump())
    assert keys.index("range") < keys.index("shown_for") < keys.index("score") < keys.index("band")
    assert not any(n.startswith("computed with") for n in result.notes)
    # A gate settled over the whole range says the range, not the one set's score.
    luxembourg = next(p for p in result.perks if p.id == "luxembourg_schengen_visa_alitrip")
    assert luxembourg.reason == "needs 750 or more; the score is 677 to 707"


def test_one_reading_has_nothing_to_name() -> None:
    weighted = regime("fico")
    assert isinstance(weighted, WeightedRegime)
    fico = score(weighted, {"dimensions": {d.id: 0.5 for d in weighted.dimensions}})
    assert (fico.shown_for, fico.several_weight_sets) == (None, False)
    assert score(regime("rongcheng"), {}).shown_for is None
    tencent = score(regime("tencent"), {"dimensions": dict.fromkeys(
        ["fulfilment", "security", "wealth", "consumption", "social"], 0.5)})
    assert tencent.shown_for == "equal_assumed"   # no weights published: any weighting is possible


def test_the_way_up_gives_the_score_under_every_weight_set_after_the_changes() -> None:
    move = counterfactual(regime("zhima"), REVIEWED)
    assert (move.target_band, move.reachable) == ("excellent", True)
    # Credit history 0.7 -> 0.85: set A 738.5 -> 739, set B 708.5 -> 709; excellent under both.
    assert move.range_after is not None
    assert move.range_after.by_variant == {"variant_a": 739, "variant_b": 709}
    assert (move.score_after, move.range_after.low, move.range_after.low_band) == (739, 709, "excellent")
