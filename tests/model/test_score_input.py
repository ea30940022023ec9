"""Bad input to score() fails with one clear line: `input: WHERE: WHAT`."""

from __future__ import annotations

from typing import Any

import pytest

from watchdog.model.loader import load_regime
from watchdog.model.score import score

FICO_OK = {"payment_history": 0.5, "amounts_owed": 0.5, "length_of_history": 0.5, "credit_mix": 0.5,
           "new_credit": 0.5}


@pytest.mark.parametrize(("rid", "person", "message"), [
    ("fico", [], "input: expected an object, got list"),
    ("fico", {"dimensions": FICO_OK, "events": []},
     "input: events: not an input of fico (weighted_score takes as_of, dimensions, signals)"),
    ("fico", {"dimensions": {**FICO_OK, "payment_history": 1.5}}, "input: dimensions.payment_history: 1.5 is outside 0 to 1"),
    ("fico", {"dimensions": {**FICO_OK, "payment_history": True}}, "input: dimensions.payment_history: expected a number, got True"),
    ("fico", {"dimensions": {**FICO_OK, "payment_history": "0.5"}}, "input: dimensions.payment_history: expected a number, got '0.5'"),
    ("fico", {"dimensions": {**FICO_OK, "payment_history": float("nan")}}, "input: dimensions.payment_history: expected a finite number"),
    ("fico", {"dimensions": {k: v for k, v in FICO_OK.items() if k != "credit_mix"}},
     "input: dimensions.credit_mix: missing (give a value from 0 to 1)"),
    ("fico", {"dimensions": {**FICO_OK, "income": 1}}, "input: dimensions.income: unknown dimension (known: payment_history"),
    ("fico", {"dimensions": FICO_OK, "as_of": "yesterday"}, "input: as_of: expected a date as YYYY-MM-DD, got 'yesterday'"),
    ("zhima", {"dimensions": {}, "signals": {"no_bad_record_5y": "yes"}}, "input: signals.no_bad_record_5y: expected true or false"),
    ("rongcheng", {"events": {"code": "x"}}, "input: events: expected a list"),
    ("rongcheng", {"events": [{"code": "jaywalking"}]}, "input: events[0].code: unknown rule 'jaywalking' (rules: contract_breach_finance"),
    ("rongcheng", {"events": [{"code": "traffic_ticket", "count": -1}]}, "input: events[0].count: expected a whole number from 0 to 1000000"),
    ("rongcheng", {"events": [{"code": "traffic_ticket", "count": 1.5}]}, "input: events[0].count: expected a whole number"),
    ("rongcheng", {"events": [{"code": "traffic_ticket", "points": -3}]}, "input: events[0].points: 'traffic_ticket' has fixed points (-5)"),
    ("rongcheng", {"events": [{"code": "other_commercial", "points": -60}]}, "input: events[0].points: expected a whole number from -50 to -5"),
    ("rongcheng", {"events": [{"code": "traffic_ticket", "when": "2020"}]}, "input: events[0].when: unknown field (known: code, count, points)"),
    ("rongcheng", {"start": 900}, "input: start: rongcheng starts everyone at 1000"),
    ("sesame_2015_described", {"signals": {"video_gaming_hours": 25}}, "input: signals.video_gaming_hours: 25 is outside 0 to 24"),
    ("sesame_2015_described", {"signals": {"sensitive_posts": -1}}, "input: signals.sensitive_posts: -1 is outside 0 to"),
    ("sesame_2015_described", {"contacts": [{"id": "a", "score": 2000}]}, "input: contacts[0].score: 2000 is outside 350 to 950"),
    ("sesame_2015_described", {"contacts": [{"score": 500}]}, "input: contacts[0].id: give a name or number"),
    ("sesame_2015_described", {"contacts": {"a": 500}}, "input: contacts: expected a list"),
    ("sesame_2015_described", {"base": 100}, "input: base: 100 is outside 350 to 950"),
    # Two contacts under one id would print as two rows "Contact a": which one is meant?
    ("sesame_2015_described", {"contacts": [{"id": "a", "score": 800}, {"id": "a", "score": 400}]},
     "input: contacts[1].id: 'a' is already the id of contacts[0]; give each contact once"),
    ("sesame_2015_described", {"contacts": [{"id": 7, "score": 800}, {"id": "b", "score": 500},
                                            {"id": "7", "score": 400}]},
     "input: contacts[2].id: '7' is already the id of contacts[0]"),
])
def test_bad_input_is_one_clear_line(rid: str, person: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        score(load_regime(rid), person)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_list_regime_is_not_scored() -> None:
    with pytest.raises(ValueError, match="cn_court_dishonest_list is a list regime: use verdict"):
        score(load_regime("cn_court_dishonest_list"), {})


def test_same_rule_twice_adds_up_and_ints_are_accepted() -> None:
    result = score(load_regime("rongcheng"), {"events": [{"code": "traffic_ticket", "count": 1},
                                                         {"code": "traffic_ticket", "count": 2}]})
    assert result.score == 985
    assert score(load_regime("fico"), {"dimensions": {k: 1 for k in FICO_OK}}).score == 850
