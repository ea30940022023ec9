"""Population runs: score millions of synthetic people at once and mix in their contacts' scores.

`simulate(regime, people, degree, alpha, seed)` draws a seeded synthetic population, scores it
with the same rules as `score` (vectorised with numpy), links everyone to `degree` random
contacts and propagates the network effect to its fixed point (`network.propagate`). It reports
the distribution and the share in each band and without each perk, before and after the network
effect, and who crosses a gate only because of their contacts. A run builds people x degree
contact edges, at most `MAX_EDGES` (about 13 bytes of memory each, measured), and is refused
before anything is allocated when it asks for more.

The people are synthetic and not calibrated to any real population: the point is to show how a
rule and a network weight move people across gates, not to estimate how many real people are
where. The network effect is a documented claim only for `as_described` regimes; for the others
it is a what-if.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from watchdog.model.network import propagate, random_contacts
from watchdog.model.scoring_schema import (
    DescribedRegime,
    Gate,
    LedgerRegime,
    ScoringRegime,
    WeightedRegime,
    in_force,
)

MAX_PEOPLE = 50_000_000
# Contact edges (people x degree) one run may build. Measured peak memory is about 13 bytes an
# edge (1,000,000 x 50: 0.8 GB; 2,000,000 x 50: 1.5 GB; 10,000,000 x 10: 2.6 GB) on top of about
# 230 bytes a person, so the budget takes about 6.5 GB and MAX_PEOPLE about 11.5 GB more: a run at
# both limits fits the 24 GB machine the benchmarks run on, with room to spare. The issue's
# benchmark (1,000,000 x 10) is a fiftieth of it.
MAX_EDGES = 500_000_000
# With one contact each, propagation needs its a priori ~log(tol / spread) / log(alpha) rounds:
# 20,000 at 0.999, 2e8 at 0.9999999.
MAX_ALPHA = 0.999
BYTES_PER_EDGE = 13


@dataclass(frozen=True)
class Inputs:
    """Synthetic inputs, one row per person, columns in the regime's own order."""

    table: np.ndarray            # dimensions (float), event counts (int) or signal values (float)
    start: np.ndarray | None     # ledger start points or described base score, when they vary


@dataclass(frozen=True)
class Distribution:
    mean: float
    p10: float
    p50: float
    p90: float
    edges: list[float]
    counts: list[int]
    band_shares: dict[str, float]   # share of people in each band
    without_perk: dict[str, float]  # share below each documented perk gate
    restricted: dict[str, float]    # share under each documented restriction


@dataclass(frozen=True)
class SimulationResult:
    regime_id: str
    regime_version: str
    people: int
    degree: int
    edges: int
    alpha: float
    seed: int
    iterations: int
    error_bound: float
    before: Distribution            # own scores
    after: Distribution             # with the network effect
    lost_perk: dict[str, float]     # share who lose a perk only through their contacts
    gained_perk: dict[str, float]   # share who gain one only through their contacts
    notes: list[str] = field(default_factory=list)
    synthetic: bool = True
    # The one weight set a weighted regime was scored with: a run scores each person once, so a
    # regime with several reported sets is simulated under the first only (the notes say so).
    weight_set: str | None = None


def synthetic_inputs(regime: ScoringRegime, people: int, rng: np.random.Generator) -> Inputs:
    """Draw synthetic inputs. The shapes are illustrative choices, stated in the module docstring."""
    if isinstance(regime, WeightedRegime):
        # A person-level standing shared by all dimensions, plus noise per dimension.
        standing = rng.beta(2.0, 2.0, size=(people, 1))
        noise = rng.normal(0.0, 0.15, size=(people, len(regime.dimensions)))
        return Inputs(np.clip(standing + noise, 0.0, 1.0), None)
    if isinstance(regime, LedgerRegime):
        # Rarer the more severe: about two points a rule on average; direct-grade rules 1 in 200.
        rates = np.array([0.005 if not r.points else min(1.0, 2.0 / abs(r.points)) for r in regime.rules])
        table = rng.poisson(rates, size=(people, len(rates))).astype(np.int32)
        start = None
        if regime.start is None:
            low, high = (regime.range.min, regime.range.max) if regime.range else (0, 1000)
            start = rng.integers(low, high + 1, size=people).astype(np.float64)
        return Inputs(table, start)
    assert isinstance(regime, DescribedRegime)
    columns = [np.minimum(rng.exponential(2.0, size=people), float(s.max_value or 24)) if s.at_least is not None
               else rng.poisson(1.0, size=people).astype(np.float64) for s in regime.signals]
    base = np.clip(rng.normal(regime.baseline.value, 50.0, size=people), regime.range.min, regime.range.max)
    return Inputs(np.column_stack(columns), base)


def score_inputs(regime: ScoringRegime, inputs: Inputs, as_of: date | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Exact (unrounded) own scores and each person's direct-grade band rank (-1: none).

    Same rules as `score`, in floating point: the first weight variant in force, the primary
    points of a rule with a span, rules out of force on `as_of` (default today) left out, a signal
    with `at_least` counting once, clamping to the range.
    """
    day = as_of or date.today()
    n = inputs.table.shape[0]
    direct = np.full(n, -1, dtype=np.int64)
    if isinstance(regime, WeightedRegime):
        weights = regime.variants_in_force(day)[0].weights
        w = np.array([float(weights[d.id]) for d in regime.dimensions])
        span = regime.range.max - regime.range.min
        return regime.range.min + span * (inputs.table @ w), direct
    if isinstance(regime, LedgerRegime):
        points = np.array([(r.points or 0) if in_force(r, day) else 0 for r in regime.rules], dtype=np.int64)
        start = inputs.start if inputs.start is not None else float(regime.start.points if regime.start else 0)
        own = start + (inputs.table.astype(np.int64) @ points).astype(np.float64)
        for col, rule in enumerate(regime.rules):
            if rule.direct_grade is not None and in_force(rule, day):
                rank = regime.band_rank(rule.direct_grade)
                direct = np.where(inputs.table[:, col] > 0, np.maximum(direct, rank), direct)
        if regime.range is not None:
            own = np.clip(own, regime.range.min, regime.range.max)
        return own, direct
    assert isinstance(regime, DescribedRegime)
    own = np.array(inputs.start if inputs.start is not None else np.full(n, float(regime.baseline.value)))
    for col, s in enumerate(regime.signals):
        values = inputs.table[:, col]
        units = (values >= float(s.at_least)).astype(np.float64) if s.at_least is not None else values
        own = own + float(s.points.per_unit) * units
    return np.clip(own, regime.range.min, regime.range.max), direct


def whole(exact: np.ndarray) -> np.ndarray:
    """Round half up to whole points, as `score` does."""
    return np.floor(exact + 0.5)


def band_ranks(regime: ScoringRegime, points: np.ndarray, direct: np.ndarray) -> np.ndarray:
    """Each person's band as its rank in `regime.bands` (-1: no band); a direct grade caps it."""
    ranks = np.full(points.shape[0], -1, dtype=np.int64)
    for rank, band in enumerate(regime.bands):
        if band.conditional:
            continue  # needs facts the synthetic people do not have
        inside = np.ones(points.shape[0], dtype=bool)
        if band.min is not None:
            inside &= points >= band.min
        if band.max is not None:
            inside &= points <= band.max
        ranks[inside] = rank
    return np.where((direct >= 0) & (ranks >= 0), np.maximum(ranks, direct), ranks)


def gate_mask(regime: ScoringRegime, gate: Gate, points: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Who passes a documented gate's score and band conditions (its yes/no facts are not simulated)."""
    passes = np.ones(points.shape[0], dtype=bool)
    if gate.min_score is not None:
        passes &= points >= gate.min_score
    if gate.max_score is not None:
        passes &= points <= gate.max_score
    if gate.bands:
        passes &= np.isin(ranks, [regime.band_rank(b) for b in gate.bands])
    return passes


def summarise(regime: ScoringRegime, points: np.ndarray, direct: np.ndarray, bins: int = 40) -> Distribution:
    n = max(points.shape[0], 1)
    ranks = band_ranks(regime, points, direct)
    low = regime.range.min if regime.range else float(points.min())
    high = regime.range.max if regime.range else float(points.max())
    counts, edges = np.histogram(points, bins=bins, range=(low, high if high > low else low + 1))
    p10, p50, p90 = np.percentile(points, [10, 50, 90])
    return Distribution(
        mean=float(points.mean()), p10=float(p10), p50=float(p50), p90=float(p90),
        edges=[float(e) for e in edges], counts=[int(c) for c in counts],
        band_shares={b.id: float(np.count_nonzero(ranks == i)) / n
                     for i, b in enumerate(regime.bands) if not b.conditional},
        without_perk={g.id: 1 - float(np.count_nonzero(gate_mask(regime, g, points, ranks))) / n
                      for g in regime.perks if g.documented},
        restricted={g.id: float(np.count_nonzero(gate_mask(regime, g, points, ranks))) / n
                    for g in regime.restrictions if g.documented},
    )


def simulate(regime: ScoringRegime, people: int, degree: int, alpha: float, seed: int, *,
             tol: float = 1e-6, as_of: date | None = None) -> SimulationResult:
    """Score `people` synthetic people and propagate the network effect with weight `alpha`."""
    if not 2 <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be from 2 to {MAX_PEOPLE:,}, got {people}")
    if not 0 <= degree < people:
        raise ValueError(f"degree must be from 0 to people - 1, got {degree}")
    if people * degree > MAX_EDGES:
        raise ValueError(f"people x degree is {people * degree:,} contact edges; the budget is {MAX_EDGES:,} "
                         f"(about {MAX_EDGES * BYTES_PER_EDGE / 1e9:.1f} GB of memory): "
                         "use fewer people or a lower degree")
    if seed < 0:
        # numpy's own message ("expected non-negative integer") would not say which option.
        raise ValueError(f"seed must be a whole number, 0 or more, got {seed}")
    if not 0 <= alpha <= MAX_ALPHA:
        why = (": closer to 1 the contacts' scores all but replace one's own, and propagation "
               "takes millions of rounds" if MAX_ALPHA < alpha < 1 else "")
        raise ValueError(f"alpha must be from 0 to {MAX_ALPHA}, got {alpha}{why}")
    rng = np.random.default_rng(seed)
    inputs = synthetic_inputs(regime, people, rng)
    own, direct = score_inputs(regime, inputs, as_of)
    graph = random_contacts(people, degree, rng)
    low, high = (regime.range.min, regime.range.max) if regime.range else (None, None)
    mixed = propagate(own, graph, alpha, tol=tol, low=low, high=high)
    before_pts, after_pts = whole(own), whole(mixed.scores)
    before_ranks, after_ranks = band_ranks(regime, before_pts, direct), band_ranks(regime, after_pts, direct)
    lost, gained = {}, {}
    for gate in (g for g in regime.perks if g.documented):
        had = gate_mask(regime, gate, before_pts, before_ranks)
        has = gate_mask(regime, gate, after_pts, after_ranks)
        lost[gate.id] = float(np.count_nonzero(had & ~has)) / people
        gained[gate.id] = float(np.count_nonzero(~had & has)) / people
    notes = ["synthetic people, not calibrated to any real population"]
    if not isinstance(regime, DescribedRegime):
        notes.append(f"{regime.id} is not documented to mix in contacts' scores: the network effect is a what-if")
    if any(b.conditional for b in regime.bands):
        notes.append("conditional grades (such as tax grade M) need facts the synthetic people do not have")
    if any(g.requires for g in (*regime.perks, *regime.restrictions)):
        notes.append("gates that also need a yes/no fact are counted on their score condition only")
    used = None
    if isinstance(regime, WeightedRegime):
        day = as_of or date.today()
        used = regime.variants_in_force(day)[0]
        if regime.weights_unknown:
            notes.append(f"scored with {used.label.en}: {regime.id} published no weights, so this "
                         "is an assumption, not a reported weight set")
        elif len(regime.weight_variants) > 1:
            others = ", ".join(v.label.en for v in regime.weight_variants if v is not used)
            notes.append(f"scored with {used.label.en} only; not simulated: {others} (people near a "
                         "threshold can be on the other side of it under another set)")
    if isinstance(regime, LedgerRegime) and regime.start is None:
        notes.append("the start is not documented: synthetic people start anywhere in the range")
    return SimulationResult(
        regime_id=regime.id, regime_version=regime.version, people=people, degree=degree,
        edges=int(graph.nnz), alpha=alpha, seed=seed, iterations=mixed.iterations,
        error_bound=mixed.error_bound, before=summarise(regime, before_pts, direct),
        after=summarise(regime, after_pts, direct), lost_perk=lost, gained_perk=gained, notes=notes,
        weight_set=used.id if used is not None else None,
    )
