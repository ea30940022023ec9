"""The simulator's work budget: runs that would hog the CPU are refused before any work, ordinary
runs still go through, the estimate does not undercount, and the chosen alpha is propagated once."""

from __future__ import annotations

import numpy as np
import pytest

from dashboards import create_app
from dashboards.views import simulate as simulate_view
from dashboards.views import simulate_budget, simulate_sweep
from dashboards.views.model_data import catalogue
from watchdog.model import population
from watchdog.model.network import propagate, random_contacts
from watchdog.model.population import score_inputs, simulate, synthetic_inputs

SLOW = "regime=zhima&people=200000&degree=1&alpha=0.999"


@pytest.fixture()
def no_runs(monkeypatch):
    """Any run reaching the simulator fails the test: a refusal must come before the work."""
    def refuse(*args, **kwargs):
        raise AssertionError("a run was started")
    monkeypatch.setattr(simulate_view, "run_population", refuse)
    monkeypatch.setattr(simulate_sweep, "propagate", refuse)


def test_the_slow_combination_is_refused_before_any_work(client, no_runs):
    for twin in ("/simulate", "/simulate.json"):
        response = client.get(f"{twin}?{SLOW}&seed=424242")
        assert response.status_code == 400
    message = client.get(f"/simulate.json?{SLOW}&seed=424243").get_json()["message"]
    assert "from 0 to 0.95" in message and "watchdog simulate" in message
    assert "from 0 to 0.95" in client.get(f"/simulate?{SLOW}&seed=424244").get_data(as_text=True)


@pytest.mark.parametrize("alpha", ["0.951", "0.96", "0.99", "0.999"])
def test_alpha_above_the_web_limit_is_refused(client, no_runs, alpha):
    response = client.get(f"/simulate.json?people=500&degree=4&alpha={alpha}")
    assert response.status_code == 400 and "0.95" in response.get_json()["message"]


def test_the_budget_would_refuse_the_slow_run_even_without_the_alpha_limit():
    # 20,205 rounds at alpha 0.999 with one contact each, as propagate's a priori bound says.
    assert simulate_budget.rounds(0.999, 1, 600) == 20_205
    assert simulate_budget.steps(catalogue().scoring()["zhima"], 200_000, 1, 0.999) > simulate_budget.BUDGET


def test_a_run_over_a_lower_budget_is_refused_naming_the_limit(store, no_runs):
    app = create_app(store.url, store.artifacts_dir, TESTING=True, SIMULATE_RATE_LIMIT=10_000,
                     SIMULATE_WORK_BUDGET=100_000_000)
    response = app.test_client().get("/simulate.json?regime=zhima&people=200000&degree=50&alpha=0.9&seed=5")
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert "above the limit of 100,000,000" in message and "fewer people" in message


def test_every_run_the_form_allows_at_full_size_fits_the_default_budget():
    # The alpha limit and the budget together: the largest runs the form offers still go through.
    for regime in catalogue().scoring().values():
        for degree in (0, 1, 2, 3, 10, simulate_view.MAX_DEGREE):
            cost = simulate_budget.steps(regime, simulate_view.MAX_PEOPLE, degree, simulate_view.MAX_ALPHA)
            assert cost <= simulate_budget.BUDGET, (regime.id, degree)


def test_an_ordinary_run_still_works(client):
    response = client.get("/simulate.json?regime=zhima&people=3000&degree=8&alpha=0.95&seed=31")
    assert response.status_code == 200
    assert response.get_json()["parameters"]["alpha"] == 0.95
    assert client.get("/simulate?regime=zhima&people=3000&degree=1&alpha=0.9&seed=31").status_code == 200


@pytest.mark.parametrize("degree", [1, 2, 3, 5, 20])
def test_the_estimate_of_rounds_does_not_undercount(degree):
    for regime_id in ("zhima", "rongcheng", "cn_tax_credit"):
        regime = catalogue().scoring()[regime_id]
        rng = np.random.default_rng(degree)
        own, _ = score_inputs(regime, synthetic_inputs(regime, 5000, rng))
        graph = random_contacts(5000, degree, rng)
        low, high = (regime.range.min, regime.range.max) if regime.range else (None, None)
        spread = float(high - low) if regime.range else simulate_budget.UNKNOWN_SPREAD
        for alpha in (0.1, 0.5, 0.9, 0.95):
            taken = propagate(own, graph, alpha, low=low, high=high).iterations
            assert taken <= simulate_budget.rounds(alpha, degree, spread), (regime_id, alpha)


@pytest.mark.parametrize("alpha", [0.4, 0.95])
def test_the_chosen_alpha_is_propagated_once(client, monkeypatch, alpha):
    calls: list[float] = []

    def counting(own, contacts, weight, **kwargs):
        calls.append(weight)
        return propagate(own, contacts, weight, **kwargs)
    monkeypatch.setattr(population, "propagate", counting)
    monkeypatch.setattr(simulate_sweep, "propagate", counting)
    body = client.get(f"/simulate.json?regime=fico&people=2000&degree=6&alpha={alpha}&seed=8101").get_json()
    assert calls.count(alpha) == 1
    assert sorted(calls) == body["sweep"]["alphas"]


@pytest.mark.parametrize("regime_id", ["fico", "rongcheng", "cn_tax_credit", "sesame_2015_described"])
def test_shares_taken_from_the_run_equal_those_propagated(regime_id):
    regime = catalogue().scoring()[regime_id]
    run = simulate(regime, 3000, 5, 0.7, 12)
    reused = simulate_sweep.sweep(regime, 3000, 5, 12, 0.7, run.after)
    computed = simulate_sweep.sweep(regime, 3000, 5, 12, 0.7)
    assert reused == computed
