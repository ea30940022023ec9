"""Population runs: seeded and repeatable, the vectorised scores equal score() person by person,
shares add up, and a zero network weight moves nobody."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest

from watchdog.model.loader import load_regime
from watchdog.model.population import score_inputs, simulate, synthetic_inputs, whole
from watchdog.model.score import score
from watchdog.model.scoring_schema import (
    DescribedRegime,
    LedgerRegime,
    ScoringRegime,
    WeightedRegime,
)

SCORED = ["zhima", "fico", "tencent", "rongcheng", "weihai", "xiamen_bailu", "fuzhou_moli", "cn_tax_credit",
          "sesame_2015_described"]


@cache
def regime(rid: str) -> ScoringRegime:
    loaded = load_regime(rid)
    assert isinstance(loaded, WeightedRegime | LedgerRegime | DescribedRegime)
    return loaded


def as_person(r: ScoringRegime, row: np.ndarray, start: float | None) -> dict[str, Any]:
    if isinstance(r, WeightedRegime):
        return {"dimensions": {d.id: float(v) for d, v in zip(r.dimensions, row, strict=True)}}
    if isinstance(r, LedgerRegime):
        person: dict[str, Any] = {"events": [{"code": rule.id, "count": int(c)}
                                             for rule, c in zip(r.rules, row, strict=True)]}
        if r.start is None:
            person["start"] = int(start or 0)
        return person
    return {"base": float(start or 0), "signals": {s.id: float(v) for s, v in zip(r.signals, row, strict=True)}}


@pytest.mark.parametrize("rid", SCORED)
def test_vectorised_scores_equal_score_person_by_person(rid: str) -> None:
    r = regime(rid)
    inputs = synthetic_inputs(r, 300, np.random.default_rng(5))
    own, direct = score_inputs(r, inputs)
    points = whole(own)
    for i in range(inputs.table.shape[0]):
        start = None if inputs.start is None else inputs.start[i]
        result = score(r, as_person(r, inputs.table[i], start))
        assert result.score == points[i], (rid, i)
        if direct[i] >= 0:
            assert result.band is not None and r.band_rank(result.band.id) >= direct[i]


@pytest.mark.parametrize("rid", SCORED)
def test_simulation_is_seeded_and_its_shares_add_up(rid: str) -> None:
    r = regime(rid)
    first = simulate(r, 2000, 5, 0.3, seed=11)
    assert first == simulate(r, 2000, 5, 0.3, seed=11)
    assert first.edges == 10000 and first.synthetic
    for dist in (first.before, first.after):
        assert sum(dist.counts) == 2000
        if r.bands:
            assert sum(dist.band_shares.values()) == pytest.approx(1.0)
        assert all(0 <= v <= 1 for v in (*dist.without_perk.values(), *dist.restricted.values()))
        if r.range is not None:
            assert r.range.min <= dist.p10 <= dist.p90 <= r.range.max
    assert any("synthetic" in n for n in first.notes)


def test_network_weight_zero_moves_nobody_and_a_weight_narrows_the_spread() -> None:
    r = regime("zhima")
    still = simulate(r, 5000, 10, 0.0, seed=3)
    assert still.before == still.after
    assert all(v == 0 for v in (*still.lost_perk.values(), *still.gained_perk.values()))
    mixed = simulate(r, 5000, 10, 0.6, seed=3)
    assert mixed.after.p90 - mixed.after.p10 < mixed.before.p90 - mixed.before.p10
    assert mixed.error_bound <= 1e-6
    assert any(v > 0 for v in mixed.lost_perk.values())


def test_described_regime_is_not_called_a_what_if() -> None:
    described = simulate(regime("sesame_2015_described"), 1000, 4, 0.3, seed=1)
    assert not any("what-if" in n for n in described.notes)
    assert any("what-if" in n for n in simulate(regime("fico"), 1000, 4, 0.3, seed=1).notes)


@pytest.mark.parametrize(("people", "degree", "alpha", "message"), [
    (1, 1, 0.3, "people must be from 2"),
    (100, 100, 0.3, "degree must be from 0 to people - 1"),
    (100, 5, 1.0, "alpha must be from 0 to 0.999"),
    (100, 5, 0.9999999, "propagation takes millions of rounds"),
])
def test_bad_simulation_arguments(people: int, degree: int, alpha: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate(regime("fico"), people, degree, alpha, seed=0)


def test_a_run_beyond_the_edge_budget_is_refused_before_anything_is_allocated() -> None:
    from watchdog.model.population import MAX_EDGES

    assert MAX_EDGES >= 100_000_000   # ten times the benchmark of 1,000,000 x 10
    with pytest.raises(ValueError, match=r"^people x degree is 10,000,000,000,000 contact edges; "
                                         r"the budget is 500,000,000 \(about"):
        simulate(regime("zhima"), 10_000_000, 1_000_000, 0.3, seed=0)


def test_the_simulation_says_which_weight_set_it_used() -> None:
    zhima = simulate(regime("zhima"), 200, 3, 0.3, seed=0)
    assert any(n.startswith("scored with Reported set A") and "not simulated: Reported set B" in n
               for n in zhima.notes)
    tencent = simulate(regime("tencent"), 200, 3, 0.3, seed=0)
    assert any("published no weights" in n for n in tencent.notes)
    fico = simulate(regime("fico"), 200, 3, 0.3, seed=0)
    assert not any(n.startswith("scored with") for n in fico.notes)  # one published set


def test_a_negative_seed_names_the_seed() -> None:
    # numpy alone said "expected non-negative integer", naming no option.
    with pytest.raises(ValueError, match=r"^seed must be a whole number, 0 or more, got -1$"):
        simulate(regime("zhima"), 100, 5, 0.3, seed=-1)
