"""Gates of a regime, and how the share of people on their wrong side moves with alpha.

A gate is a documented perk (share without it), a documented restriction (share under it) or a
band (share below it). `sweep` draws the same synthetic people and contacts as
`watchdog.model.population.simulate` (the same seeded generator, used in the same order), so
at the chosen alpha its shares equal the simulator's, and propagates once per alpha. Given the
simulator's result at the chosen alpha it takes that point from the result instead: propagation
is nearly all of the cost, and the chosen alpha would otherwise be propagated twice a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from watchdog.model.network import propagate, random_contacts
from watchdog.model.population import (
    Distribution,
    band_ranks,
    gate_mask,
    score_inputs,
    synthetic_inputs,
    whole,
)
from watchdog.model.scoring_schema import LedgerRegime, ScoringRegime

ALPHAS = tuple(round(a * 0.1, 1) for a in range(10))   # 0.0 ... 0.9


@dataclass(frozen=True)
class Gate:
    key: str                 # "perk:<id>", "restriction:<id>" or "band:<id>"
    kind: Literal["perk", "restriction", "band"]
    id: str
    label: str               # reads after "Share ...": "without Easier loans"


def gates_of(regime: ScoringRegime) -> list[Gate]:
    gates = [Gate(f"perk:{g.id}", "perk", g.id, f"without “{g.label.en}”")
             for g in regime.perks if g.documented]
    gates += [Gate(f"restriction:{g.id}", "restriction", g.id, f"under “{g.label.en}”")
              for g in regime.restrictions if g.documented]
    plain = [b for b in regime.bands if not b.conditional and b.min is not None]
    gates += [Gate(f"band:{b.id}", "band", b.id, f"below {b.label.en} ({b.min})") for b in plain
              if b.min is not None and (regime.range is None or b.min > regime.range.min)]
    return gates


def sweep(regime: ScoringRegime, people: int, degree: int, seed: int, chosen: float,
          at_chosen: Distribution | None = None) -> tuple[list[float], dict[str, list[float]]]:
    """The alphas (0, 0.1, ... 0.9 and the chosen one) and, per gate, the share at each.

    `at_chosen`: the simulator's `after` for the same people, contacts and chosen alpha, if at hand.
    """
    alphas = sorted({*ALPHAS, chosen})
    known = _shares_from(regime, at_chosen, people) if at_chosen is not None else None
    rng = np.random.default_rng(seed)
    inputs = synthetic_inputs(regime, people, rng)
    own, direct = score_inputs(regime, inputs)
    graph = random_contacts(people, degree, rng)
    low, high = (regime.range.min, regime.range.max) if regime.range else (None, None)
    gates = gates_of(regime)
    shares: dict[str, list[float]] = {g.key: [] for g in gates}
    for alpha in alphas:
        if alpha == chosen and known is not None:
            for gate in gates:
                shares[gate.key].append(known[gate.key])
            continue
        points = whole(propagate(own, graph, alpha, low=low, high=high).scores)
        ranks = band_ranks(regime, points, direct)
        for gate in gates:
            shares[gate.key].append(_share(regime, gate, points, ranks))
    return alphas, shares


def _share(regime: ScoringRegime, gate: Gate, points: np.ndarray, ranks: np.ndarray) -> float:
    n = max(points.shape[0], 1)
    if gate.kind == "band":
        below = (ranks > regime.band_rank(gate.id)) | (ranks < 0)
        return float(np.count_nonzero(below)) / n
    pool = regime.perks if gate.kind == "perk" else regime.restrictions
    mask = gate_mask(regime, next(g for g in pool if g.id == gate.id), points, ranks)
    passing = float(np.count_nonzero(mask)) / n
    return 1 - passing if gate.kind == "perk" else passing


def _shares_from(regime: ScoringRegime, after: Distribution, people: int) -> dict[str, float] | None:
    """Each gate's share as `_share` would compute it, read from a simulator's distribution.

    The distribution holds each share as a count over `people`, so the counts are recovered
    exactly and a band gate's share (people in no band at or above it) is the same float. None
    when that cannot be exact: a direct grade naming a conditional band puts people in a rank
    that no band share counts.
    """
    conditional = {b.id for b in regime.bands if b.conditional}
    if isinstance(regime, LedgerRegime) and any(r.direct_grade in conditional for r in regime.rules):
        return None
    n = max(people, 1)
    out: dict[str, float] = {}
    for gate in gates_of(regime):
        if gate.kind == "perk":
            out[gate.key] = after.without_perk[gate.id]
        elif gate.kind == "restriction":
            out[gate.key] = after.restricted[gate.id]
        else:
            rank = regime.band_rank(gate.id)
            at_or_above = sum(round(after.band_shares[b.id] * n) for b in regime.bands[:rank + 1]
                              if not b.conditional)
            out[gate.key] = float(n - at_or_above) / n
    return out
