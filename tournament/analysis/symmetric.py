"""Symmetric optima of symmetric common-payoff games (docs/populations.md, "Symmetric optima";
the paper "For Learning in Symmetric Teams, Local Optima are Global Nash Equilibria").

Everyone plays the same mixed strategy s; the common payoff ``U(s)`` is a polynomial in s,
evaluated in the multiset form of :mod:`tournament.theory.multisets` (the game's payoff
depends only on the multiset of actions played). Its gradient is ``∂U/∂s_a = k·EU(a, s)``.

:func:`symmetric_optimum` searches the best symmetric profile from random starts (uniform on
the simplex) with

- ``"slsqp"``: scipy's SLSQP on the simplex with the analytic gradient (seed 002 §6.1);
- ``"replicator"``: Euler steps of the replicator dynamics on payoffs rescaled to [0, 1],
  step 1, up to 10 000 steps (seed 002 App. F.3);
- ``"both"``: both, as in the seed's experiment ("best" = best of all runs).

and reports for the best profile: its value, whether it is mixed (more than one action with
probability above ``support_tol`` *and* strictly better than every pure symmetric profile),
whether it is a Nash equilibrium (Thm 4.0.2 says every local symmetric optimum is), whether
it is a local optimum among possibly-asymmetric profiles (Thm 5.0.4: in non-degenerate games
iff it is pure; checked directly by a second-order test on joint deviations of two players),
and whether it is degenerate (Def. 5.0.3).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import GameError
from ..game import Game
from ..theory.dynamics import replicator
from ..theory.multisets import FocalPayoffs

METHODS = ("slsqp", "replicator", "both")


def focal_payoffs(game: Game) -> FocalPayoffs:
    """The multiset form of a symmetric common-payoff game (GameError otherwise)."""
    if not game.is_common_payoff:
        raise GameError(f"game {game.name!r} is not common-payoff; symmetric optima are defined for team games")
    return FocalPayoffs.from_game(game)


def symmetric_value(game: Game | FocalPayoffs, s) -> float:
    """``U(s)``: the common payoff when every player plays the mixed strategy ``s``."""
    f = game if isinstance(game, FocalPayoffs) else focal_payoffs(game)
    return float(f.value(_as_strategy(s, f.n_types)))


def _as_strategy(s, n: int) -> np.ndarray:
    s = np.asarray(s, dtype=float)
    if s.shape != (n,) or np.any(s < -1e-12) or abs(s.sum() - 1) > 1e-9:
        raise ValueError(f"expected a probability vector over {n} actions, got {s!r}")
    return np.clip(s, 0, None) / np.clip(s, 0, None).sum()


# ------------------------------------------------------------------ searches
def random_starts(n_actions: int, starts: int, rng: np.random.Generator) -> np.ndarray:
    """``starts`` points drawn uniformly from the simplex (flat Dirichlet)."""
    return rng.dirichlet(np.ones(n_actions), size=starts)


def slsqp_runs(
    focal: FocalPayoffs, starts: np.ndarray, *, ftol: float = 1e-12, maxiter: int = 500
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximise ``U`` on the simplex from each start with SLSQP. Returns (strategies, values, success)."""
    from scipy.optimize import minimize  # imported on use: slow to import

    k = focal.n_players
    n = focal.n_types
    cons = ({"type": "eq", "fun": lambda x: x.sum() - 1.0, "jac": lambda x: np.ones(n)},)

    def fun(x):
        x = np.clip(x, 0.0, None)
        eu = focal.against(x)
        return -float(x @ eu), -k * eu

    out = np.empty_like(starts)
    ok = np.empty(len(starts), dtype=bool)
    for i, x0 in enumerate(starts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = minimize(
                fun,
                x0,
                jac=True,
                method="SLSQP",
                bounds=[(0.0, 1.0)] * n,
                constraints=cons,
                options={"ftol": ftol, "maxiter": maxiter},
            )
        x = np.clip(res.x, 0.0, None)
        out[i] = x / x.sum()
        ok[i] = bool(res.success)
    return out, np.asarray(focal.value(out)), ok


def replicator_runs(
    focal: FocalPayoffs, starts: np.ndarray, *, step: float = 1.0, iterations: int = 10_000, tol: float = 1e-13
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replicator dynamics (Euler, normalised payoffs) from each start. Returns (strategies, values, converged)."""
    run = replicator(focal, starts, step=step, iterations=iterations, tol=tol)
    return run.shares, run.value, run.converged


# ------------------------------------------------------------------ checks
def unilateral_gains(focal: FocalPayoffs, s: np.ndarray) -> np.ndarray:
    """``EU(a, s) − U(s)`` for every action a: what one player gains by switching to a."""
    eu = focal.against(s)
    return eu - float(s @ eu)


def is_degenerate(focal: FocalPayoffs, s: np.ndarray, *, support_tol: float = 1e-6, tol: float = 1e-9) -> bool:
    """Def. 5.0.3 for the symmetric Nash equilibrium ``s``.

    Pure s = (a, ..., a): degenerate if (at least two, hence by symmetry all) players are
    indifferent between a and another action. Mixed s: degenerate if, for every pure
    co-player profile inside the support, the payoff is the same for all own actions in the
    support (mixing does not matter).
    """
    support = np.flatnonzero(s > support_tol)
    if len(support) == 1:
        gains = unilateral_gains(focal, s)
        others = np.delete(gains, support)
        return bool(focal.n_players >= 2 and others.size and np.any(np.abs(others) <= tol))
    inside = np.all(focal.counts[:, np.setdiff1d(np.arange(focal.n_types), support)] == 0, axis=1)
    block = focal.table[np.ix_(support, np.flatnonzero(inside))]
    return bool(np.all(block.max(axis=0) - block.min(axis=0) <= tol))


def is_generic(focal: FocalPayoffs, tol: float = 1e-9) -> bool:
    """No two own actions pay the same against any pure co-player multiset. Then no Nash
    equilibrium is degenerate (the argument of seed 002, Prop. F.2.1), so Thm 5.0.4 applies."""
    t = np.sort(focal.table, axis=0)
    return bool(np.all(np.diff(t, axis=0) > tol))


@dataclass
class JointDeviation:
    """Two players' small deviations that raise the common payoff (second order)."""

    direction_0: np.ndarray
    direction_1: np.ndarray
    curvature: float  # d²U/dε² at 0 along the joint deviation (both scaled by ε)

    def to_dict(self) -> dict:
        return {
            "player_0": self.direction_0.round(6).tolist(),
            "player_1": self.direction_1.round(6).tolist(),
            "curvature": self.curvature,
        }


def improving_pair_deviation(
    focal: FocalPayoffs, s: np.ndarray, *, support_tol: float = 1e-6, tol: float = 1e-9
) -> JointDeviation | None:
    """A joint deviation of two players that improves ``U`` to second order, if one exists among
    the deviations that cost nothing to first order.

    At a Nash equilibrium, moving one player's probability among its tied best responses
    (the support, plus unused actions that pay as much) leaves U unchanged to first order;
    two players doing so change it by ``ε²·xᵀHy`` with H the pair matrix. Inside the support
    the directions are two-sided (a linear subspace), towards unused tied actions one-sided.
    """
    n = focal.n_types
    if focal.n_players < 2:
        return None
    gains = unilateral_gains(focal, s)
    support = np.flatnonzero(s > support_tol)
    tied = np.flatnonzero(np.abs(gains) <= tol)
    extra = np.setdiff1d(tied, support)
    h = focal.pair_matrix(s)
    dirs: list[np.ndarray] = []
    if len(support) > 1:  # basis of {v: Σv = 0, supp v ⊆ support}, both signs
        for a in support[1:]:
            v = np.zeros(n)
            v[a], v[support[0]] = 1.0, -1.0
            dirs += [v, -v]
        # the best pair inside the subspace: top singular vectors of the restricted form
        z = np.zeros((n, len(support) - 1))
        for j, a in enumerate(support[1:]):
            z[a, j], z[support[0], j] = 1.0, -1.0
        q, _ = np.linalg.qr(z)
        u, sv, vt = np.linalg.svd(q.T @ h @ q)
        if sv.size and sv[0] > tol:
            x, y = q @ u[:, 0], q @ vt[0]
            return JointDeviation(x, y, float(2 * (x @ h @ y)))
    for b in extra:  # one-sided: shift mass from the support to an unused tied action
        v = -s.copy()
        v[b] += 1.0
        dirs.append(v)
        for a in support:
            w = np.zeros(n)
            w[b], w[a] = 1.0, -1.0
            dirs.append(w)
    best = None
    for x in dirs:
        for y in dirs:
            c = float(x @ h @ y)
            if c > tol * max(1.0, np.abs(h).max()) and (best is None or c > best[2]):
                best = (x, y, c)
    if best is None:
        return None
    return JointDeviation(best[0], best[1], 2 * best[2])


@dataclass
class SymmetricOptimum:
    """Result of :func:`symmetric_optimum`."""

    game: str
    actions: tuple[str, ...]
    strategy: np.ndarray
    value: float
    mixed: bool
    support: list[str]
    best_pure_action: str
    best_pure_value: float
    is_nash: bool
    nash_gain: float  # best unilateral gain (≤ 0 up to tolerance at a Nash equilibrium)
    local_optimum_asymmetric: bool | None
    local_reason: str
    degenerate: bool
    generic: bool
    method: str
    runs: pd.DataFrame = field(repr=False)
    improving_deviation: JointDeviation | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "game": self.game,
            "strategy": dict(zip(self.actions, self.strategy.round(9).tolist())),
            "value": self.value,
            "mixed": self.mixed,
            "support": self.support,
            "best_pure": {"action": self.best_pure_action, "value": self.best_pure_value},
            "nash": self.is_nash,
            "nash_gain": self.nash_gain,
            "local_optimum_asymmetric": self.local_optimum_asymmetric,
            "local_reason": self.local_reason,
            "degenerate": self.degenerate,
            "generic": self.generic,
            "method": self.method,
            "runs": len(self.runs),
            "runs_reaching_best": int(self.runs["reaches_best"].sum()),
            "improving_deviation": self.improving_deviation.to_dict() if self.improving_deviation else None,
        }


def symmetric_optimum(
    game: Game,
    method: str = "both",
    starts: int = 10,
    seed: int | np.random.SeedSequence = 0,
    *,
    step: float = 1.0,
    iterations: int = 10_000,
    support_tol: float = 1e-4,
    rel_tol: float = 1e-6,
) -> SymmetricOptimum:
    """Best symmetric mixed profile of a symmetric common-payoff game, with the seed 002 checks.

    ``starts`` random starts per method (``"slsqp"``, ``"replicator"`` or ``"both"``), drawn
    from ``seed``. Tolerances are relative to the game's payoff range. The pure symmetric
    profiles are always candidates too, so a search that stalls near a pure profile still
    reports it exactly.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if starts < 1:
        raise ValueError(f"starts must be >= 1, got {starts}")
    focal = focal_payoffs(game)
    n = focal.n_types
    span = float(np.ptp(focal.table)) or 1.0
    tol = rel_tol * span
    rng = np.random.default_rng(seed)
    rows = []
    runs_s = []
    for m in ("slsqp", "replicator") if method == "both" else (method,):
        x0 = random_starts(n, starts, rng)
        if m == "slsqp":
            s, v, ok = slsqp_runs(focal, x0)
        else:
            s, v, ok = replicator_runs(focal, x0, step=step, iterations=iterations)
        for i in range(starts):
            rows.append(
                {
                    "method": m,
                    "start": i,
                    "value": float(v[i]),
                    "ok": bool(ok[i]),
                    **{f"s_{a}": float(s[i, j]) for j, a in enumerate(focal.labels)},
                }
            )
            runs_s.append(s[i])
    runs = pd.DataFrame(rows)
    pure_values = pure_symmetric_values(focal)
    best_pure = int(np.argmax(pure_values))
    i_best = int(runs["value"].idxmax())
    best_s = runs_s[i_best]
    best_v = float(runs["value"].iloc[i_best])
    mixed = best_v > pure_values[best_pure] + tol and int(np.sum(best_s > support_tol)) > 1
    if mixed:
        # polish on the found support so that tiny leftovers of dying actions vanish
        s_pol, v_pol, _ = slsqp_runs(focal, best_s[None], ftol=1e-15)
        if v_pol[0] >= best_v - tol:
            best_s, best_v = s_pol[0], float(v_pol[0])
        best_s = np.where(best_s > support_tol, best_s, 0.0)
        best_s /= best_s.sum()
        best_v = float(focal.value(best_s))
    else:
        best_s = np.eye(n)[best_pure]
        best_v = float(pure_values[best_pure])
    runs["reaches_best"] = runs["value"] >= best_v - max(tol, 1e-3 * span)
    gains = unilateral_gains(focal, best_s)
    nash_gain = float(gains.max())
    is_nash = nash_gain <= max(tol, 1e-7 * span)
    degenerate = is_degenerate(focal, best_s, tol=tol)
    generic = is_generic(focal, tol=tol)
    deviation = None
    if not is_nash:
        local, reason = False, "not a Nash equilibrium: a single player gains by deviating"
    elif not mixed and not np.any(np.abs(np.delete(gains, best_pure)) <= tol):
        local, reason = True, "strict pure Nash equilibrium: every small deviation loses to first order"
    else:
        deviation = improving_pair_deviation(focal, best_s, tol=tol)
        if deviation is not None:
            local, reason = False, "two players deviating jointly gain to second order (Thm 5.0.4)"
        elif not degenerate:
            local, reason = not mixed, "Thm 5.0.4 (non-degenerate): local optimum iff pure"
        else:
            local, reason = None, "undetermined: degenerate and no improving joint deviation of two players"
    support = [focal.labels[j] for j in np.flatnonzero(best_s > 0)]
    return SymmetricOptimum(
        game=game.name,
        actions=tuple(focal.labels),
        strategy=best_s,
        value=best_v,
        mixed=bool(mixed),
        support=support,
        best_pure_action=focal.labels[best_pure],
        best_pure_value=float(pure_values[best_pure]),
        is_nash=bool(is_nash),
        nash_gain=nash_gain,
        local_optimum_asymmetric=local,
        local_reason=reason,
        degenerate=degenerate,
        generic=generic,
        method=method,
        runs=runs,
        improving_deviation=deviation,
    )


def pure_symmetric_values(focal: FocalPayoffs) -> np.ndarray:
    """``U(a, ..., a)`` for every action a (works on batched tables: shape (..., T))."""
    n, k = focal.n_types, focal.n_players
    cols = [focal.column_of[tuple((k - 1) * int(a == b) for b in range(n))] for a in range(n)]
    return focal.table[..., np.arange(n), cols]
