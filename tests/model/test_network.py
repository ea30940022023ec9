"""The network effect: fixed-point propagation converges, stays in range, solves the equation;
a graph's per-contact shares add up; a contact's pull is what the score loses without them;
suggested contacts raise the score."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from hypothesis import given, settings
from hypothesis import strategies as st

from watchdog.model.network import (
    contact_matrix,
    contact_pulls,
    graph_pulls,
    propagate,
    random_contacts,
    suggest_contacts,
)


def test_two_people_by_hand() -> None:
    # s0 = 0.5*100 + 0.5*s1 and s1 = 0.5*300 + 0.5*s0 -> s0 = 500/3, s1 = 700/3.
    graph = contact_matrix(2, np.array([0, 1]), np.array([1, 0]))
    result = propagate(np.array([100.0, 300.0]), graph, 0.5, tol=1e-9)
    assert result.scores == pytest.approx([500 / 3, 700 / 3], abs=1e-8)
    assert result.error_bound <= 1e-9


def test_isolated_people_keep_their_own_score_and_alpha_zero_changes_nothing() -> None:
    graph = contact_matrix(3, np.array([0]), np.array([1]))
    own = np.array([400.0, 800.0, 600.0])
    result = propagate(own, graph, 0.9)
    assert result.scores[1:] == pytest.approx([800.0, 600.0])
    assert result.scores[0] == pytest.approx(0.1 * 400 + 0.9 * 800)
    assert propagate(own, graph, 0.0).scores.tolist() == own.tolist()


def test_bad_arguments() -> None:
    graph = contact_matrix(2, np.array([0]), np.array([1]))
    with pytest.raises(ValueError, match="alpha must be at least 0 and below 1"):
        propagate(np.zeros(2), graph, 1.0)
    with pytest.raises(ValueError, match="contacts must be 3 x 3"):
        propagate(np.zeros(3), graph, 0.5)
    with pytest.raises(ValueError, match="contact ids must lie in 0..1"):
        contact_matrix(2, np.array([0]), np.array([2]))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 40), degree=st.integers(0, 6), alpha=st.floats(0, 0.97), seed=st.integers(0, 10**6))
def test_propagation_converges_to_the_fixed_point_and_stays_in_range(n: int, degree: int, alpha: float,
                                                                      seed: int) -> None:
    rng = np.random.default_rng(seed)
    graph = random_contacts(n, degree, rng)
    own = rng.uniform(350, 950, size=n)
    result = propagate(own, graph, alpha, tol=1e-7)
    assert result.error_bound <= 1e-7
    assert own.min() - 1e-9 <= result.scores.min() and result.scores.max() <= own.max() + 1e-9
    # The exact fixed point solves (I - alpha W) s = (1 - alpha) own, rows without contacts aside.
    isolated = np.diff(graph.indptr) == 0
    step = sp.diags(np.where(isolated, 0.0, alpha)) @ graph
    exact = np.linalg.solve(np.eye(n) - step.toarray(), np.where(isolated, own, (1 - alpha) * own))
    assert np.max(np.abs(result.scores - exact)) <= 1e-6


def test_graph_pulls_add_up_to_the_change() -> None:
    rng = np.random.default_rng(7)
    graph = random_contacts(50, 4, rng)
    own = rng.uniform(350, 950, size=50)
    result = propagate(own, graph, 0.4, tol=1e-12)
    pulls = graph_pulls(graph, own, result.scores, 0.4, 3)
    assert len(pulls) == 4
    assert sum(p for _, p in pulls) == pytest.approx(result.scores[3] - own[3], abs=1e-9)
    assert pulls == sorted(pulls, key=lambda jp: jp[1])


def test_contact_pulls_and_suggestions_by_hand() -> None:
    own, alpha = Decimal(500), Decimal("0.3")
    contacts = [("a", Decimal(400)), ("b", Decimal(700))]
    pulls = contact_pulls(own, contacts, alpha)
    # With both: 500 + 0.3 x (550 - 500) = 515. Without a: 500 + 0.3 x 200 = 560, so a's pull is
    # -45; without b: 500 - 0.3 x 100 = 470, so b's is +45.
    assert [(p.id, p.pull) for p in pulls] == [("a", Decimal(-45)), ("b", Decimal(45))]
    # Mean now 550 -> 515. With c (800): mean 633.33 -> 540, a gain of 25. With d (500) the mean falls.
    suggestions = suggest_contacts(own, contacts, [("c", Decimal(800)), ("d", Decimal(500)), ("a", Decimal(900))],
                                   alpha)
    assert [(s.id, s.gain) for s in suggestions] == [("c", Decimal(25))]
    assert suggest_contacts(own, [], [("x", Decimal(501))], alpha)[0].gain == Decimal("0.3")
    assert contact_pulls(own, [], alpha) == []
    # A lone contact's pull is the whole effect: without them the score is the own score.
    assert [p.pull for p in contact_pulls(own, [("z", Decimal(600))], alpha)] == [Decimal(30)]


def test_a_contact_above_your_score_but_below_your_contacts_mean_pulls_you_down() -> None:
    # The reviewer's case: own 530, contacts 800, 400 and 620 (mean 606.67). Shares of the effect
    # would give c +9 (620 is above 530); without c the score is 530 + 0.3 x (600 - 530) = 551,
    # and with c 530 + 0.3 x (606.67 - 530) = 553, so c's real pull is +2: small, and it turns
    # negative once b is dropped (c is then below the mean of a and c, 710).
    own, alpha = Decimal(530), Decimal("0.3")
    pulls = {p.id: p.pull for p in contact_pulls(own, [("a", Decimal(800)), ("b", Decimal(400)),
                                                       ("c", Decimal(620))], alpha)}
    assert pulls == {"a": Decimal(29), "b": Decimal(-31), "c": Decimal(2)}
    after_b = {p.id: p.pull for p in contact_pulls(own, [("a", Decimal(800)), ("c", Decimal(620))], alpha)}
    assert after_b == {"a": Decimal(27), "c": Decimal(-27)}


def _mixed(own: Decimal, scores: list[Decimal], alpha: Decimal) -> Decimal:
    return own if not scores else own + alpha * (sum(scores, Decimal(0)) / len(scores) - own)


@settings(max_examples=200, deadline=None)
@given(own=st.integers(350, 950), scores=st.lists(st.integers(350, 950), min_size=1, max_size=12),
       alpha=st.sampled_from([Decimal("0.1"), Decimal("0.3"), Decimal("0.9")]))
def test_every_pull_is_the_score_with_minus_without_that_contact(own: int, scores: list[int],
                                                                 alpha: Decimal) -> None:
    contacts = [(f"c{i}", Decimal(s)) for i, s in enumerate(scores)]
    with_all = _mixed(Decimal(own), [s for _, s in contacts], alpha)
    for i, pull in enumerate(contact_pulls(Decimal(own), contacts, alpha)):
        without = _mixed(Decimal(own), [s for j, (_, s) in enumerate(contacts) if j != i], alpha)
        assert abs(pull.pull - (with_all - without)) < Decimal("1e-20"), (i, pull)
        # Same sign as what dropping the contact does: a positive pull is lost, a negative one gained.
        assert (pull.pull > 0) == (with_all > without + Decimal("1e-20"))
        assert (pull.pull < 0) == (with_all < without - Decimal("1e-20"))


def test_alpha_within_a_hair_of_one_stops_at_float_precision_near_the_fixed_point() -> None:
    # The a posteriori test would need changes under 1e-13 points, below float rounding: the
    # iteration stops when changes are only rounding, close to the exact solution, within a
    # bounded number of iterations.
    rng = np.random.default_rng(3)
    own = rng.uniform(350, 950, 1000)
    graph = random_contacts(1000, 10, rng)
    alpha = 0.9999999
    got = propagate(own, graph, alpha, low=350, high=950)
    assert got.iterations < 10_000  # stops on rounding, not after ~1e8 iterations to tol
    exact = spla.spsolve((sp.identity(1000, format="csc") - alpha * graph).tocsc(), (1 - alpha) * own)
    assert np.max(np.abs(got.scores - exact)) < 1e-3
    assert got.error_bound > 0  # reported, not claimed to be within tol
