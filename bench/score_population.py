"""Benchmark: score a synthetic population and propagate the network effect to convergence.

    .venv/bin/python bench/score_population.py [--people N] [--degree K] [--alpha A] [--seed S]
                                               [--regime ID] [--nx-people M]

Defaults: 1,000,000 people with 10 contacts each (10,000,000 edges), zhima, alpha 0.5. The same
propagation is then done the straightforward way, a Python loop over a networkx graph, on a
smaller graph (--nx-people, default 20,000), and the time per edge visit is compared. Both run
on the same small graph too, to show they agree. Target: the full 1M/10M run under 10 s on two
cores.
"""

from __future__ import annotations

import argparse
import os
import time

import networkx as nx
import numpy as np

from watchdog.model.loader import load_regime
from watchdog.model.network import contact_matrix, propagate, random_contacts
from watchdog.model.population import score_inputs, summarise, synthetic_inputs, whole
from watchdog.model.schema import ListRegime

TOL = 1e-6
TARGET_SECONDS = 10.0


def networkx_propagate(graph: nx.DiGraph, own: np.ndarray, alpha: float) -> tuple[np.ndarray, int]:
    """The textbook loop: every person averages their contacts' scores, until nothing moves."""
    s = {i: float(own[i]) for i in graph.nodes}
    iterations = 0
    while True:
        iterations += 1
        new = {}
        for i in graph.nodes:
            contacts = list(graph.successors(i))
            if contacts:
                new[i] = (1 - alpha) * own[i] + alpha * sum(s[j] for j in contacts) / len(contacts)
            else:
                new[i] = float(own[i])
        change = max(abs(new[i] - s[i]) for i in graph.nodes)
        s = new
        if alpha == 0 or alpha / (1 - alpha) * change <= TOL:
            return np.array([s[i] for i in range(len(own))]), iterations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--degree", type=int, default=10)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--regime", default="zhima")
    parser.add_argument("--nx-people", type=int, default=20_000)
    args = parser.parse_args()
    regime = load_regime(args.regime)
    if isinstance(regime, ListRegime):
        parser.error(f"{regime.id} is a list regime")
    low, high = (regime.range.min, regime.range.max) if regime.range else (None, None)
    print(f"{regime.id}: {args.people:,} synthetic people, {args.degree} contacts each, alpha {args.alpha}, "
          f"{os.cpu_count()} CPUs")

    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    inputs = synthetic_inputs(regime, args.people, rng)
    t1 = time.perf_counter()
    own, direct = score_inputs(regime, inputs)
    t2 = time.perf_counter()
    graph = random_contacts(args.people, args.degree, rng)
    t3 = time.perf_counter()
    mixed = propagate(own, graph, args.alpha, tol=TOL, low=low, high=high)
    t4 = time.perf_counter()
    summary = summarise(regime, whole(mixed.scores), direct)
    t5 = time.perf_counter()
    total, edges = t5 - t0, graph.nnz
    visits = edges * max(mixed.iterations, 1)
    print(f"  draw inputs      {t1 - t0:6.2f} s")
    print(f"  score            {t2 - t1:6.2f} s   {args.people / max(t2 - t1, 1e-9):14,.0f} people/s")
    print(f"  contact graph    {t3 - t2:6.2f} s   {edges:,} edges")
    print(f"  propagate        {t4 - t3:6.2f} s   {mixed.iterations} iterations to within {mixed.error_bound:.1e},"
          f" {visits / max(t4 - t3, 1e-9):,.0f} edge visits/s")
    print(f"  bands and gates  {t5 - t4:6.2f} s")
    print(f"  total            {total:6.2f} s   {args.people / total:,.0f} people/s, {edges / total:,.0f} edges/s")
    verdict = "met" if total < TARGET_SECONDS else "missed"
    print(f"  target {TARGET_SECONDS:.0f} s for this run: {verdict}")
    print(f"  median score {summary.p50:.0f}; bands: "
          + ", ".join(f"{k} {v:.1%}" for k, v in summary.band_shares.items()))

    # The straightforward way, on a smaller graph; both methods on that same graph.
    n = args.nx_people
    small_rng = np.random.default_rng(args.seed + 1)
    small_own, _ = score_inputs(regime, synthetic_inputs(regime, n, small_rng))
    small = random_contacts(n, args.degree, small_rng)
    nx_graph = nx.DiGraph()
    nx_graph.add_nodes_from(range(n))
    nx_graph.add_edges_from(zip(np.repeat(np.arange(n), np.diff(small.indptr)).tolist(), small.indices.tolist(),
                                strict=True))
    source, target = zip(*nx_graph.edges, strict=True)
    same = contact_matrix(n, np.array(source), np.array(target))   # duplicates merged, as networkx does
    t6 = time.perf_counter()
    nx_scores, nx_iterations = networkx_propagate(nx_graph, small_own, args.alpha)
    t7 = time.perf_counter()
    sp_result = propagate(small_own, same, args.alpha, tol=TOL)
    t8 = time.perf_counter()
    nx_per_visit = (t7 - t6) / (nx_graph.number_of_edges() * nx_iterations)
    sp_small_per_visit = (t8 - t7) / (same.nnz * max(sp_result.iterations, 1))
    sp_per_visit = (t4 - t3) / visits
    print(f"networkx loop on {n:,} people, {nx_graph.number_of_edges():,} edges: {t7 - t6:.2f} s, "
          f"{nx_iterations} iterations, {1 / nx_per_visit:,.0f} edge visits/s")
    print(f"  scipy on the same graph: {t8 - t7:.3f} s, {sp_result.iterations} iterations, "
          f"largest difference {np.max(np.abs(nx_scores - sp_result.scores)):.1e} points")
    print(f"  per edge visit: networkx {nx_per_visit * 1e9:,.0f} ns; scipy {sp_small_per_visit * 1e9:,.1f} ns on the "
          f"same graph ({nx_per_visit / sp_small_per_visit:,.0f}x) and {sp_per_visit * 1e9:,.1f} ns on the full "
          f"graph ({nx_per_visit / sp_per_visit:,.0f}x)")


if __name__ == "__main__":
    main()
