"""`/simulate`: population runs of one regime over a synthetic contact network.

The query string picks the regime, the number of people (up to 200,000 on the web; the CLI
goes further), the number of contacts each, the weight of contacts' scores (alpha) and the
seed. The page shows the distribution before and after the network effect, the share in each
band and below each perk's threshold, and how the share on the wrong side of one chosen gate
moves as alpha goes from 0 to 0.9. Runs are deterministic for a seed, so a link reproduces its
figures; the last few are kept in memory. `.json` and `.csv` twins carry the same figures.

A run costs up to a few seconds of CPU, so new runs (not those kept in memory) are limited per
client address: `SIMULATE_RATE_LIMIT` a minute (default 10), then HTTP 429. Each run also has a
work budget: alpha is at most `MAX_ALPHA` here (nearer 1 the network effect takes thousands of
rounds to settle; the CLI takes any alpha below 1), and a run whose estimated cost
(`simulate_budget.steps`) is above `SIMULATE_WORK_BUDGET` steps is refused with HTTP 400.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Flask, abort, current_app, request

from dashboards.views import model_charts, simulate_budget
from dashboards.views._common import allow_params, one_value
from dashboards.views._twins import Table, twin_routes
from dashboards.views.check_guard import RateLimiter
from dashboards.views.model_data import catalogue
from dashboards.views.simulate_sweep import gates_of, sweep
from watchdog.model.population import SimulationResult
from watchdog.model.population import simulate as run_population
from watchdog.model.scoring_schema import ScoringRegime, WeightedRegime

bp = Blueprint("simulate", __name__)

MAX_PEOPLE = 200_000
MAX_DEGREE = 50
MAX_ALPHA = 0.95
DEFAULTS = {"regime": "sesame_2015_described", "people": 20_000, "degree": 10, "alpha": "0.3", "seed": 0}
ALPHA = re.compile(r"0(\.[0-9]{1,3})?|\.[0-9]{1,3}")
COLUMNS = ["measure", "id", "label", "own_scores", "with_contacts"]


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.getlist(name)
    if not raw or raw == [""]:
        return default
    if len(raw) > 1 or not raw[0].isascii() or not raw[0].isdigit() or not low <= int(raw[0]) <= high:
        abort(400, f"{name!r} must be one whole number from {low:,} to {high:,}")
    return int(raw[0])


def _alpha() -> str:
    raw = request.args.getlist("alpha")
    if not raw or raw == [""]:
        return DEFAULTS["alpha"]  # type: ignore[return-value]
    if len(raw) > 1 or not ALPHA.fullmatch(raw[0]) or float(raw[0]) > MAX_ALPHA:
        abort(400, f"'alpha' must be one number from 0 to {MAX_ALPHA} (for example 0.3), the weight of "
                   "contacts' scores. Nearer 1 the network effect takes thousands of rounds to settle, "
                   "so the website stops there; the command `watchdog simulate` takes any alpha below 1.")
    return raw[0] if not raw[0].startswith(".") else "0" + raw[0]


def _within_budget(regime: ScoringRegime, people: int, degree: int, alpha: float) -> None:
    """Refuse, before any work, a run estimated to cost more than the site's budget."""
    budget = int(current_app.config.get("SIMULATE_WORK_BUDGET", simulate_budget.BUDGET))
    cost = simulate_budget.steps(regime, people, degree, alpha)
    if cost > budget:
        abort(400, f"This run is too large for the website: about {cost:,} steps of work (people × "
                   f"(contacts + 1) × the rounds the network effect needs at each weight on the chart), "
                   f"above the limit of {budget:,}. Use fewer people, fewer contacts or a smaller alpha, "
                   "or the command `watchdog simulate`.")


Run = tuple[SimulationResult, dict[str, list[float]], list[float]]
KEPT = 8  # runs kept in memory
_kept: OrderedDict[tuple[str, int, int, str, int], Run] = OrderedDict()
_kept_lock = threading.Lock()


def _limiter(app: Flask) -> RateLimiter:
    found = app.extensions.get("simulate_rate_limiter")
    if found is None:
        limit = int(app.config.get("SIMULATE_RATE_LIMIT", 10))
        found = app.extensions["simulate_rate_limiter"] = RateLimiter(limit)
    return found


def _run(regime_id: str, people: int, degree: int, alpha: str, seed: int) -> Run:
    key = (regime_id, people, degree, alpha, seed)
    with _kept_lock:
        if (kept := _kept.get(key)) is not None:
            _kept.move_to_end(key)
            return kept
    limit = _limiter(current_app)
    if not limit.allow(request.remote_addr or "unknown"):
        abort(429, f"Too many new simulations from your address: at most {limit.limit} a minute. "
                   "Runs already made (the same parameters) are not counted; try again shortly.")
    regime = catalogue().scoring()[regime_id]
    result = run_population(regime, people, degree, float(alpha), seed)
    alphas, shares = sweep(regime, people, degree, seed, float(alpha), result.after)
    with _kept_lock:
        _kept[key] = (result, shares, alphas)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return result, shares, alphas


def simulation() -> Table:
    allow_params("regime", "people", "degree", "alpha", "seed", "gate")
    regimes = catalogue().scoring()
    regime_id = one_value("regime", regimes.keys(), DEFAULTS["regime"])  # type: ignore[arg-type]
    people = _whole("people", DEFAULTS["people"], 100, MAX_PEOPLE)  # type: ignore[arg-type]
    degree = _whole("degree", DEFAULTS["degree"], 0, MAX_DEGREE)  # type: ignore[arg-type]
    alpha = _alpha()
    seed = _whole("seed", DEFAULTS["seed"], 0, 2**32 - 1)  # type: ignore[arg-type]
    regime = regimes[regime_id]
    gates = gates_of(regime)
    gate_keys = [g.key for g in gates]
    gate = one_value("gate", gate_keys, gate_keys[0] if gate_keys else "")
    _within_budget(regime, people, degree, float(alpha))
    result, shares, alphas = _run(regime_id, people, degree, alpha, seed)
    chosen = next((g for g in gates if g.key == gate), None)
    labels = {b.id: b.label.en for b in regime.bands} | {g.id: g.label.en for g in (*regime.perks, *regime.restrictions)}
    rows = _rows(result, labels)
    figures = {"chart-distribution": model_charts.histogram(
        f"Scores of {people:,} synthetic people", result.before.edges, result.before.counts,
        result.after.counts, f"{result.edges:,} contact edges, contacts' weight {alpha}, seed {seed}")}
    if chosen is not None:
        figures["chart-alpha"] = model_charts.share_by_alpha(
            f"Share {chosen.label}, by the weight of contacts' scores", alphas, shares[chosen.key],
            float(alpha), "same people and contacts at every weight")
    return Table(
        name=f"simulate-{regime_id}", template="simulate.html", columns=COLUMNS, rows=rows,
        meta={"parameters": {"regime": regime_id, "people": people, "degree": degree, "alpha": float(alpha),
                             "seed": seed, "gate": gate or None},
              "result": asdict(result),
              "sweep": {"alphas": alphas, "gate": gate or None,
                        "shares": {g.key: shares[g.key] for g in gates}},
              "gates": [asdict(g) for g in gates]},
        context={"regimes": regimes, "regime": regime, "gate_options": gates, "chosen": chosen, "figures": figures,
                 "weight_sets": _weight_sets(regime, result),
                 "max_people": MAX_PEOPLE, "max_degree": MAX_DEGREE, "max_alpha": MAX_ALPHA,
                 "labels": labels,
                 "form": {"regime": regime_id, "people": people, "degree": degree, "alpha": alpha,
                          "seed": seed, "gate": request.args.get("gate", "")}})


def _weight_sets(regime: ScoringRegime, result: SimulationResult) -> dict[str, Any] | None:
    """The weight set a run used, where the regime reports several: said by the figures, not
    only among the notes, since every share on the page is under that one set."""
    if not isinstance(regime, WeightedRegime) or regime.weights_unknown or len(regime.weight_variants) < 2:
        return None
    used = next((v for v in regime.weight_variants if v.id == result.weight_set), regime.weight_variants[0])
    return {"used": used.label.en, "others": [v.label.en for v in regime.weight_variants if v is not used]}


def _rows(result: SimulationResult, labels: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for measure, before, after in (("band_share", result.before.band_shares, result.after.band_shares),
                                   ("without_perk", result.before.without_perk, result.after.without_perk),
                                   ("restricted", result.before.restricted, result.after.restricted)):
        rows += [{"measure": measure, "id": key, "label": labels.get(key, key), "own_scores": before[key],
                  "with_contacts": after[key]} for key in before]
    for measure, values in (("lost_perk_through_contacts", result.lost_perk),
                            ("gained_perk_through_contacts", result.gained_perk)):
        rows += [{"measure": measure, "id": key, "label": labels.get(key, key), "own_scores": None,
                  "with_contacts": share} for key, share in values.items()]
    return rows


twin_routes(bp, "/simulate", simulation)
