"""The counterfactual of a system as described (sesame_2015_described): a plan it finds really
reaches the band, "unreachable" is said only when nothing a person can change gets there, and a long
contact list is searched without rescoring the person for every contact."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import watchdog.model.counterfactual as cf_module
from watchdog.model.counterfactual import Counterfactual, counterfactual
from watchdog.model.loader import load_regime
from watchdog.model.score import score
from watchdog.model.scoring_schema import DescribedRegime


@cache
def regime() -> DescribedRegime:
    loaded = load_regime("sesame_2015_described")
    assert isinstance(loaded, DescribedRegime)
    return loaded


def test_a_score_held_at_the_floor_can_still_be_raised() -> None:
    # 560 - 30 x 10 = 260, held at 350: each post fewer gains nothing visible until the own score
    # is back above 350, but 29 posts fewer give 550, fair.
    cf = counterfactual(regime(), {"base": 560, "signals": {"sensitive_posts": 30}})
    assert (cf.score_before, cf.target_band, cf.reachable, cf.score_after) == (350, "fair", True, 550)
    assert [(c.input, c.before, c.after) for c in cf.changes] == [
        ("signals.sensitive_posts", Decimal(30), Decimal(1))]


def test_a_huge_count_is_searched_in_runs_not_one_post_at_a_time() -> None:
    cf = counterfactual(regime(), {"base": 950, "signals": {"sensitive_posts": 100_000}})
    assert cf.reachable and cf.score_after == 550
    assert [(c.input, c.after) for c in cf.changes] == [("signals.sensitive_posts", Decimal(40))]


def test_three_thousand_contacts_are_searched_without_rescoring_each_drop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 5:
            raise AssertionError("the search rescores the person for each candidate change")
        return score(*args, **kwargs)

    monkeypatch.setattr(cf_module, "score", counted)
    contacts = [{"id": str(i), "score": 350 + (i * 7) % 600} for i in range(3000)]
    person = {"base": 400, "contacts": contacts}
    cf = counterfactual(regime(), person)
    assert cf.reachable and cf.target_band == "fair"
    after = score(regime(), _applied(person, cf))
    assert after.score == cf.score_after and after.score >= 550


def _applied(person: dict[str, Any], cf: Counterfactual) -> dict[str, Any]:
    signals = dict(person.get("signals", {}))
    dropped = set()
    for change in cf.changes:
        kind, name = change.input.split(".", 1)
        if kind == "signals":
            signals[name] = float(change.after) if change.after is not None else 0
        else:
            dropped.add(name)
    return {**person, "signals": signals,
            "contacts": [c for c in person.get("contacts", []) if str(c["id"]) not in dropped]}


def _best_possible(r: DescribedRegime, person: dict[str, Any]) -> Decimal:
    """The highest exact score any plan can reach: every actionable signal at its best, and the best
    set of contacts kept (the top j by score, for some j, or none)."""
    own = Decimal(person.get("base", r.baseline.value))
    for s in r.signals:
        value = Decimal(str(person.get("signals", {}).get(s.id, 0)))
        if s.actionable:
            if s.points.per_unit < 0:
                value = min(value, s.at_least - 1) if s.at_least is not None else Decimal(0)
            else:
                value = max(value, Decimal(s.realistic_max or 0))
        units = Decimal(int(value >= s.at_least)) if s.at_least is not None else value
        own += units * s.points.per_unit
    own = min(max(own, Decimal(r.range.min)), Decimal(r.range.max))
    alpha = r.network.alpha.value if r.network else Decimal(0)
    scores = sorted((Decimal(c["score"]) for c in person.get("contacts", [])), reverse=True)
    best = own
    for j in range(1, len(scores) + 1):
        best = max(best, own + alpha * (sum(scores[:j]) / j - own))
    return best


contact = st.builds(lambda i, s: {"id": f"c{i}", "score": s}, st.integers(0, 10**6), st.integers(350, 950))


@settings(max_examples=300, deadline=None)
@given(base=st.integers(350, 950),
       signals=st.fixed_dictionaries({}, optional={
           "sensitive_posts": st.integers(0, 120), "japanese_anime_purchases": st.integers(0, 40),
           "patriotic_purchases": st.integers(0, 12), "state_media_shares": st.integers(0, 12),
           "video_gaming_hours": st.integers(0, 24)}),
       contacts=st.lists(contact, max_size=12, unique_by=lambda c: c["id"]),
       target=st.sampled_from([None, "fair", "good", "very_good", "excellent"]))
def test_a_found_plan_reaches_the_band_and_unreachable_means_unreachable(
        base: int, signals: dict[str, int], contacts: list[dict[str, Any]], target: str | None) -> None:
    r = regime()
    person = {"base": base, "signals": signals, "contacts": contacts}
    now = score(r, person)
    if target is not None and now.grade is not None and r.band_rank(target) >= r.band_rank(now.grade):
        return  # not a move up
    cf = counterfactual(r, person, target_band=target)
    if cf.target_band is None:
        return
    goal = r.band(cf.target_band).min
    assert goal is not None
    if cf.reachable:
        after = score(r, _applied(person, cf))
        assert after.score >= goal and after.score == cf.score_after, (cf, after.score)
        assert all(c.input.split(".", 1)[1] in {s.id for s in r.signals if s.actionable}
                   for c in cf.changes if c.input.startswith("signals."))
    else:
        assert _best_possible(r, person) < goal - Decimal("0.5"), cf
