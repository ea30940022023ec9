"""The network effect the 2015 press described: your contacts' scores pull yours towards theirs.

Each person's score s mixes their own score with the mean of their contacts' scores:

    s = (1 - alpha) * own + alpha * mean(s of contacts)

Over a whole contact graph this is a fixed point, found by iteration. For alpha in [0, 1) the
step is a contraction by a factor alpha in the largest-difference norm (each mean is a convex
combination), so the iteration always converges, to a unique answer, and every score stays
between the lowest and highest own score. A person with no contacts keeps their own score.

- `random_contacts` builds a seeded sparse graph; `contact_matrix` one from edge lists.
- `propagate` runs the iteration to a stated tolerance.
- `contact_pulls` says "who is affecting your score": how the score would change without each
  contact, the same effect the way up (`watchdog.model.described_search`) counts on.
- `suggest_contacts` lists the candidates who would raise it, as the articles say the system did.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Propagation:
    scores: np.ndarray
    iterations: int
    error_bound: float   # the largest possible distance from the exact fixed point


@dataclass(frozen=True)
class Pull:
    id: str
    score: Decimal
    pull: Decimal   # your score with this contact minus your score without them


@dataclass(frozen=True)
class Suggestion:
    id: str
    score: Decimal
    gain: Decimal   # points your score would rise by with this contact added


def contact_matrix(people: int, source: np.ndarray, target: np.ndarray) -> sp.csr_matrix:
    """Row-normalised contacts: row i averages over the people i counts as contacts."""
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    if source.shape != target.shape:
        raise ValueError("source and target must have the same length")
    if source.size and (min(source.min(), target.min()) < 0 or max(source.max(), target.max()) >= people):
        raise ValueError(f"contact ids must lie in 0..{people - 1}")
    degree = np.bincount(source, minlength=people).astype(np.float64)
    weights = 1.0 / degree[source]
    return sp.csr_matrix((weights, (source, target)), shape=(people, people))


def random_contacts(people: int, degree: int, rng: np.random.Generator) -> sp.csr_matrix:
    """Each person picks `degree` contacts at random (never themselves), as a row-normalised matrix.

    Built straight into CSR form: every row has exactly `degree` entries, so no sort is needed,
    which keeps ten million edges to a fraction of a second. A contact may be picked twice; it
    then counts twice in the mean, as a closer tie would.
    """
    if people < 2 or degree < 0:
        raise ValueError("need at least 2 people and a degree of 0 or more")
    # 32-bit ids (what scipy stores anyway) and a subtraction instead of a modulo: both halve the time.
    index = np.int32 if people * max(degree, 1) < 2**31 else np.int64
    targets = np.arange(people, dtype=index)[:, None] + rng.integers(1, people, size=(people, degree), dtype=index)
    targets[targets >= people] -= people
    indptr = (np.arange(people + 1, dtype=np.int64) * degree).astype(index)
    data = np.full(people * degree, 1.0 / max(degree, 1))
    return sp.csr_matrix((data, targets.ravel(), indptr), shape=(people, people))


def propagate(own: np.ndarray, contacts: sp.csr_matrix, alpha: float, *, tol: float = 1e-6,
              low: float | None = None, high: float | None = None) -> Propagation:
    """Iterate s = (1 - alpha) * own + alpha * mean(contacts' s) until within `tol` of the fixed point.

    `contacts` must be row-normalised (as `contact_matrix` and `random_contacts` build it). The
    result is clipped to [low, high] (default: the own scores' extremes) only to undo float
    rounding; mathematically it never leaves that interval.
    """
    if not 0 <= alpha < 1:
        raise ValueError(f"alpha must be at least 0 and below 1, got {alpha}")
    own = np.asarray(own, dtype=np.float64)
    n = own.shape[0]
    if contacts.shape != (n, n):
        raise ValueError(f"contacts must be {n} x {n}, got {contacts.shape[0]} x {contacts.shape[1]}")
    if n == 0:
        return Propagation(own.copy(), 0, 0.0)
    low = float(own.min()) if low is None else low
    high = float(own.max()) if high is None else high
    isolated = np.diff(contacts.indptr) == 0
    # A person with no contacts has no mean to mix in: their fixed point is their own score.
    fixed = np.where(isolated, own, (1 - alpha) * own)
    step = np.where(isolated, 0.0, alpha)
    s = own.copy()
    if alpha == 0:
        return Propagation(np.clip(s, low, high), 0, 0.0)
    # A priori: the distance to the fixed point shrinks by alpha each step from at most high - low.
    spread = max(high - low, tol)
    limit = math.ceil(math.log(tol / spread) / math.log(alpha)) + 2 if spread > tol else 1
    # Changes this small are float rounding, not progress: with alpha within about 1e-7 of 1 the
    # a posteriori test below asks for less than that and would never pass before `limit`
    # (some 1e8 rounds). Stop there and report the bound honestly, even above `tol`.
    noise = 8 * float(np.spacing(max(abs(low), abs(high), 1.0)))
    for iteration in range(1, limit + 1):
        nxt = fixed + step * (contacts @ s)
        change = float(np.max(np.abs(nxt - s)))
        s = nxt
        # A posteriori: distance to the fixed point <= alpha / (1 - alpha) * last change.
        bound = alpha / (1 - alpha) * change
        if bound <= tol or change <= noise:
            return Propagation(np.clip(s, low, high), iteration, bound)
    # The a posteriori test can lag the a priori one when alpha is near 1; after `limit` steps the
    # a priori bound alone guarantees the tolerance.
    return Propagation(np.clip(s, low, high), limit, alpha ** limit * spread)


def contact_pulls(own: Decimal, contacts: Sequence[tuple[str, Decimal]], alpha: Decimal) -> list[Pull]:
    """Who is affecting your score: for each contact, your score with them minus your score
    without them, the others kept (leave one out). Ordered as given.

    With k contacts of mean m the score is own + alpha * (m - own). Without contact i the mean of
    the others is (k * m - s_i) / (k - 1), so the pull is alpha * (s_i - m) / (k - 1): a contact
    pulls you down when below your contacts' mean, even one above your own score, and that is
    what dropping them does. A lone contact's pull is the whole effect, alpha * (s - own).

    The pulls do not add up to the network effect (it is one row of the contributions); each
    says what that one contact does. `own` is the own score as held within the range.
    """
    k = len(contacts)
    if k == 0:
        return []
    if k == 1:
        cid, s = contacts[0]
        return [Pull(id=cid, score=s, pull=alpha * (s - own))]
    total = sum((s for _, s in contacts), Decimal(0))
    # k * s_i - total is exact in Decimal, so a contact at the mean gets exactly 0.
    return [Pull(id=cid, score=s, pull=alpha * (k * s - total) / (k * (k - 1))) for cid, s in contacts]


def suggest_contacts(own: Decimal, contacts: Sequence[tuple[str, Decimal]],
                     candidates: Sequence[tuple[str, Decimal]], alpha: Decimal,
                     limit: int = 5) -> list[Suggestion]:
    """Candidates who would raise your score if added, best first (others' scores held fixed)."""
    total = sum((s for _, s in contacts), Decimal(0))
    k = len(contacts)
    now = own + (alpha * (total / k - own) if k else Decimal(0))
    known = {cid for cid, _ in contacts}
    gains = []
    for cid, s in candidates:
        if cid in known:
            continue
        after = own + alpha * ((total + s) / (k + 1) - own)
        if after > now:
            gains.append(Suggestion(id=cid, score=s, gain=after - now))
    return sorted(gains, key=lambda g: (-g.gain, g.id))[:limit]


def graph_pulls(contacts: sp.csr_matrix, own: np.ndarray, scores: np.ndarray, alpha: float,
                person: int) -> list[tuple[int, float]]:
    """Per-contact share of the network effect on one person at the graph's fixed point, largest
    drag first: alpha * weight * (their score - own), which adds up to the change. A share is not
    what dropping that contact would do (see `contact_pulls`), so it is not what the self-check
    lists as "who is affecting your score"."""
    row = contacts.getrow(person)
    pulls = [(int(j), float(alpha * w * (scores[j] - own[person])))
             for j, w in zip(row.indices, row.data, strict=True)]
    return sorted(pulls, key=lambda jp: jp[1])
