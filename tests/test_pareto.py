"""Pareto gap and frontier: known answers and properties over random games."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournament import Game, games
from tournament.analysis import (
    is_feasible,
    is_pareto_optimal,
    pareto_frontier_2d,
    pareto_frontier_segments,
    pareto_gap,
)
from tournament.analysis.pareto import pareto_optimal_vertices, sample_frontier

PD = games.get("prisoners_dilemma")


def test_pd_known_gaps():
    assert pareto_gap(PD, [1.5, 1.5]) == pytest.approx(1.0)  # (2,2) dominates
    assert pareto_gap(PD, [1, 1]) == pytest.approx(2.0)  # up to (2,2) (or the frontier)
    assert pareto_gap(PD, [2, 2]) == 0.0
    assert pareto_gap(PD, [2.5, 1]) == 0.0  # on the edge (2,2)-(3,0)
    assert not is_pareto_optimal(PD, [1.5, 1.5]) and is_pareto_optimal(PD, [1, 2.5])
    assert pareto_frontier_2d(PD).tolist() == [[0, 3], [2, 2], [3, 0]]
    assert len(pareto_frontier_segments(PD)) == 2
    assert is_feasible(PD, [1.5, 1.5]) and not is_feasible(PD, [3, 3])


def test_demand_3p_two_two_zero_is_dominated():
    g = games.get("demand_3p")
    assert pareto_gap(g, [2, 2, 0]) == pytest.approx(3.0)  # up to (3,3,1)
    assert not is_pareto_optimal(g, [2, 2, 0])
    assert is_pareto_optimal(g, [3, 3, 1]) and is_pareto_optimal(g, [1, 1, 3])
    assert sorted(map(tuple, pareto_optimal_vertices(g).tolist())) == [(1, 1, 3), (3, 3, 1)]
    pts = sample_frontier(g, n=20)
    assert all(is_pareto_optimal(g, p) for p in pts)


def test_cake_splitting_pair_is_pareto_optimal():
    g = games.get("cake_splitting")
    assert is_pareto_optimal(g, [5 / 12, 5 / 12, 0])
    assert is_pareto_optimal(g, [1 / 3, 1 / 3, 1 / 3])


def random_games():
    return st.integers(0, 10_000).map(
        lambda seed: Game(np.round(np.random.default_rng(seed).uniform(-5, 5, size=(3, 3, 2)), 2))
    )


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(random_games())
def test_gap_is_zero_at_frontier_vertices_and_edges(g):
    for v in pareto_optimal_vertices(g):
        assert pareto_gap(g, v) == 0.0
    for a, b in pareto_frontier_segments(g):
        assert pareto_gap(g, 0.3 * a + 0.7 * b) == 0.0


@settings(max_examples=40, deadline=None)
@given(random_games(), st.integers(0, 10_000))
def test_gap_is_positive_strictly_inside_the_hull(g, seed):
    V = np.unique(g.payoff_vectors, axis=0)
    w = np.random.default_rng(seed).dirichlet(np.ones(len(V)))
    inner = w @ V  # a point with weight on every vertex...
    centroid = V.mean(axis=0)
    # ...pulled towards the centroid stays strictly inside when the hull is full-dimensional
    p = 0.5 * inner + 0.5 * centroid
    if np.linalg.matrix_rank(V - V[0]) == 2:
        assert pareto_gap(g, p) > 1e-6
        assert is_feasible(g, p)
    # moving v towards a dominating feasible point shrinks the gap
    gap = pareto_gap(g, p)
    assert gap >= 0


@settings(max_examples=40, deadline=None)
@given(random_games())
def test_gap_equals_distance_along_the_lp_solution(g):
    # gap(v) >= sum(w - v) for every pure vector w >= v
    v = np.unique(g.payoff_vectors, axis=0).mean(axis=0)
    gap = pareto_gap(g, v)
    for w in g.payoff_vectors:
        if np.all(w >= v):
            assert gap >= (w - v).sum() - 1e-9
