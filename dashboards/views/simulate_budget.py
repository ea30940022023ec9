"""The work budget of a web run of `/simulate`: a run estimated to cost more is refused up front.

Nearly all of a run's time goes to `network.propagate`. Each round reads every contact once and
touches every person a few times, so a round costs about people x (degree + 1) steps; on the
2-core host a step takes about 1.5 ns. How many rounds depends on alpha and on the contacts:

- `propagate` stops at its a priori bound, ceil(log(tol / spread) / log(alpha)) + 2 rounds, at
  the latest (spread: the width of the score range). With one contact each the contacts form
  cycles that never mix, and a run takes that long: 20,205 rounds at alpha 0.999.
- With two or more random contacts each, the distance to the fixed point has no part along the
  constant vector (the mean of own scores, weighted by how often each person is someone's
  contact in the long run, equals that of the fixed point), and the rest shrinks by about
  alpha / sqrt(degree) a round (measured at 200,000 people: 60 rounds at alpha 0.95 with 2
  contacts, 13 with 50), so the a posteriori test stops far sooner. `MARGIN` widens that rate
  so the estimate stays above what was measured.

A page propagates once per alpha on its chart (0, 0.1 ... 0.9) and, when the chosen alpha is
not one of those, once more. Drawing the people and their contacts (twice) and summarising cost
about `SETUP_ROUNDS` rounds more.
"""

from __future__ import annotations

import math

from dashboards.views.simulate_sweep import ALPHAS
from watchdog.model.scoring_schema import ScoringRegime

TOL = 1e-6              # what population.simulate and the sweep pass to propagate (its default)
UNKNOWN_SPREAD = 10_000  # a regime without a documented range: a generous guess (it only enters a log)
MARGIN = 1.5            # the mixing rate assumed, alpha * MARGIN / sqrt(degree), errs slow
SETUP_ROUNDS = 40       # drawing, building the contacts twice and summarising, in rounds
BUDGET = 2_000_000_000  # steps: about 3 s on the 2-core host. The largest run the form allows
                        # (200,000 people, 50 contacts, alpha 0.95) is ~1.7e9 and took 2.4 s.


def rounds(alpha: float, degree: int, spread: float, tol: float = TOL) -> int:
    """Rounds `propagate` is expected to take (never more than its a priori bound)."""
    if alpha == 0:
        return 0
    if degree == 0:
        return 1  # nobody has contacts: the first round changes nothing and the test passes
    spread = max(spread, tol)
    a_priori = math.ceil(math.log(tol / spread) / math.log(alpha)) + 2
    rate = alpha * MARGIN / math.sqrt(degree)
    if degree == 1 or rate >= 1:
        return a_priori
    # The a posteriori test passes once alpha / (1 - alpha) * the last change <= tol.
    mixed = math.ceil(math.log(tol * (1 - alpha) / (alpha * spread)) / math.log(rate)) + 1
    return min(a_priori, max(mixed, 1))


def steps(regime: ScoringRegime, people: int, degree: int, alpha: float) -> int:
    """The estimated cost of a page's run and its sweep, in steps (one contact read in one round)."""
    spread = float(regime.range.max - regime.range.min) if regime.range else UNKNOWN_SPREAD
    total = sum(rounds(a, degree, spread) for a in {*ALPHAS, alpha})
    return people * (degree + 1) * (total + SETUP_ROUNDS)
