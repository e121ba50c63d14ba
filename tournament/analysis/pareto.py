"""Pareto optimality over the feasible payoff set (README, "Analyses: stable cycles, Pareto
optimality, coalitions"). The one home of the feasible-set LP.

The feasible set F of a game is the convex hull of its pure payoff vectors (what
correlated play can achieve on average). For a payoff vector v,

    gap(v) = max { Σ_i (w_i - v_i) : w ∈ F, w >= v }

is a linear program over the weights λ of the hull's vertices (w = λ·V, λ in the simplex),
solved with scipy's HiGHS. v is Pareto-optimal iff gap(v) <= 1e-6 · (payoff range). If no
w ∈ F dominates v weakly (v lies above the feasible set), the LP is infeasible and the
gap is 0 by convention — use :func:`is_feasible` to tell the two apart.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import linprog

from ..game import Game

PARETO_REL_TOL = 1e-6


@lru_cache(maxsize=256)
def _vertices_cached(game: Game) -> np.ndarray:
    vecs = np.unique(game.payoff_vectors, axis=0)
    # only vectors not strictly dominated by another pure vector can matter for the
    # upper-right part of the hull, but the LP needs every vertex for feasibility of w >= v
    vecs.setflags(write=False)
    return vecs


def payoff_vertices(game: Game) -> np.ndarray:
    """The distinct pure payoff vectors (the hull's generators), shape (m, k)."""
    return _vertices_cached(game)


def tolerance(game: Game) -> float:
    """Absolute Pareto tolerance: 1e-6 of the payoff range (at least 1e-12)."""
    span = float(game.payoffs.max() - game.payoffs.min())
    return max(PARETO_REL_TOL * span, 1e-12)


def _dominating_lp(game: Game, v: np.ndarray):
    V = payoff_vertices(game)
    m, k = V.shape
    # maximise sum(V^T λ)  <=>  minimise -(V.sum(1)) · λ
    c = -V.sum(axis=1)
    a_ub = -V.T  # V^T λ >= v  <=>  -V^T λ <= -v
    b_ub = -v + 1e-12
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=np.ones((1, m)), b_eq=[1.0], bounds=(0, None), method="highs")
    return res, V


@lru_cache(maxsize=65536)
def _gap_cached(game: Game, key: tuple) -> float:
    v = np.array(key, dtype=float)
    res, V = _dominating_lp(game, v)
    if res.status == 2:  # infeasible: nothing in F weakly dominates v
        return 0.0
    if not res.success:  # pragma: no cover - bounded LP
        raise RuntimeError(f"Pareto LP failed: {res.message}")
    w = V.T @ res.x
    gap = float((w - v).sum())
    return 0.0 if gap <= tolerance(game) else gap  # LP round-off is not an improvement


def _key(v) -> tuple:
    # rounding makes equal cycle payoffs computed in different orders share a cache entry
    return tuple(np.round(np.asarray(v, dtype=float), 12).tolist())


def pareto_gap(game: Game, v) -> float:
    """Largest total improvement Σ(w − v) over feasible w >= v (0 when v is Pareto-optimal)."""
    v = np.asarray(v, dtype=float)
    if v.shape != (game.n_players,):
        raise ValueError(f"payoff vector must have {game.n_players} entries, got shape {v.shape}")
    return _gap_cached(game, _key(v))


def is_pareto_optimal(game: Game, v) -> bool:
    """Whether no feasible payoff vector weakly dominates v (within the tolerance)."""
    return pareto_gap(game, v) <= tolerance(game)


def is_feasible(game: Game, v, tol: float | None = None) -> bool:
    """Whether v lies in the convex hull of the pure payoff vectors (LP feasibility)."""
    V = payoff_vertices(game)
    v = np.asarray(v, dtype=float)
    tol = tolerance(game) if tol is None else tol
    m, k = V.shape
    # min s  s.t. |V^T λ - v| <= s, λ in simplex
    c = np.zeros(m + 1)
    c[-1] = 1.0
    a_ub = np.vstack([np.hstack([V.T, -np.ones((k, 1))]), np.hstack([-V.T, -np.ones((k, 1))])])
    b_ub = np.concatenate([v, -v])
    a_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=(0, None), method="highs")
    return bool(res.success and res.fun <= tol)


def pareto_optimal_vertices(game: Game) -> np.ndarray:
    """The distinct pure payoff vectors that are Pareto-optimal in F."""
    V = payoff_vertices(game)
    return V[[is_pareto_optimal(game, v) for v in V]]


def pareto_frontier_2d(game: Game) -> np.ndarray:
    """2 players: the Pareto frontier of F as a polyline (points sorted by player 0's
    payoff); consecutive points are joined by an efficient edge of the polygon, or the
    frontier is a single point."""
    if game.n_players != 2:
        raise ValueError("pareto_frontier_2d needs a 2-player game")
    P = pareto_optimal_vertices(game)
    P = P[np.lexsort((-P[:, 1], P[:, 0]))]
    return P


def pareto_frontier_segments(game: Game) -> list[tuple[np.ndarray, np.ndarray]]:
    """Efficient edges of F for any k: pairs of Pareto-optimal vertices whose midpoint is
    Pareto-optimal too (for k = 2 exactly the polygon's efficient edges)."""
    P = pareto_optimal_vertices(game)
    segs = []
    for i in range(len(P)):
        for j in range(i + 1, len(P)):
            if is_pareto_optimal(game, (P[i] + P[j]) / 2):
                segs.append((P[i], P[j]))
    return segs


def sample_frontier(game: Game, n: int = 200, seed: int = 0) -> np.ndarray:
    """Points on the Pareto frontier of F for k >= 3: random convex combinations of
    Pareto-optimal vertices kept when they are Pareto-optimal themselves."""
    P = pareto_optimal_vertices(game)
    if len(P) <= 1:
        return P
    rng = np.random.default_rng(seed)
    out = [p for p in P]
    tries = 0
    while len(out) < n and tries < 20 * n:
        tries += 1
        size = rng.integers(2, min(len(P), game.n_players) + 1)
        idx = rng.choice(len(P), size=size, replace=False)
        w = rng.dirichlet(np.ones(size)) @ P[idx]
        if is_pareto_optimal(game, w):
            out.append(w)
    return np.array(out)


def pareto_profile_share(game: Game, profiles: np.ndarray) -> float:
    """Share of the given rounds (profiles, rows of action indices) spent on pure profiles
    that no other pure profile weakly dominates (``Game.pareto_optimal_profiles``)."""
    profiles = np.asarray(profiles)
    if len(profiles) == 0:
        return float("nan")
    good = {tuple(p) for p in game.pareto_optimal_profiles}
    return float(np.mean([tuple(p) in good for p in profiles.tolist()]))
