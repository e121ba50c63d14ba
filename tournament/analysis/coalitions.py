"""Coalitions in settled k >= 3 player matches (README, "Analyses"; the post "Infra-Bayesian
haggling", "When can a coalition be formed?").

For a group C of players with a joint distribution α_C over their actions — here the
empirical distribution of C's joint action over one period of the stable cycle — member i
is *guaranteed*

- U′_C (default, outsiders may correlate with C's realized action):
  ``g_i = Σ_{a_C} α_C(a_C) · min_{a_-C} r_i(a_C, a_-C)``
- U_C (outsiders choose before seeing C's action, ``outsiders="independent"``):
  ``g_i = min_{a_-C} Σ_{a_C} α_C(a_C) · r_i(a_C, a_-C)``.

  In the seed's definition the outsiders' mixed strategy β ranges over distributions on
  their joint actions; requiring it to be a product of independent mixed strategies gives
  the same value, because the expectation is multilinear in the outsiders' strategies and
  so attains its minimum at a pure joint action. Both variants are therefore exact
  minima over pure outsider profiles — no non-linear optimisation is needed.

C *guarantees* its members' cycle payoffs v when g_i >= v_i for every member. A **formed
coalition** is a minimal group of >= 2 players that guarantees its members' cycle
payoffs, at least one of whom gets strictly more than its mixed security value
(``Game.security_value``), so players who merely sit at their worst case do not count.
The **coalition structure** partitions the players into formed coalitions and
singletons, written like ``{0,1}|{2}``; when minimal coalitions overlap, the smaller and
then lexicographically first are taken.

A group D **blocks** the cycle if it has some joint distribution guaranteeing every
member *strictly* more than its cycle payoff — the LP ``max t s.t. Σ_a α(a) g_i(a) - t >=
v_i (i ∈ D), α ∈ Δ`` has t > 0 (for U_C the constraints run over every outsider profile).
The grand coalition blocks exactly when a strict Pareto improvement exists; a structure
is *stable* when no group blocks it.

The pure view (``pure_coalition_structure``) asks the same of each round of the cycle
separately: the group's pure joint action at that round must guarantee each member its
payoff of that round — "who locked in with whom".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import linprog

from ..game import Game

OUTSIDER_MODES = ("correlated", "independent")


@dataclass(frozen=True)
class CoalitionReport:
    """Coalition analysis of one cycle."""

    structure: tuple[frozenset, ...]  # partition of the players
    blocking: tuple[frozenset, ...]  # groups that could guarantee all members strictly more
    payoff: tuple[float, ...]  # cycle payoff vector
    outsiders: str = "correlated"

    @property
    def label(self) -> str:
        return format_structure(self.structure)

    @property
    def formed(self) -> tuple[frozenset, ...]:
        return tuple(c for c in self.structure if len(c) >= 2)

    @property
    def stable(self) -> bool:
        return not self.blocking


def format_structure(structure) -> str:
    """``[{0,1},{2}]`` -> ``"{0,1}|{2}"`` (blocks ordered by their smallest member)."""
    blocks = sorted((sorted(c) for c in structure), key=lambda b: b[0])
    return "|".join("{" + ",".join(str(i) for i in b) + "}" for b in blocks)


def parse_structure(label: str) -> list[frozenset]:
    """Inverse of :func:`format_structure`."""
    return [frozenset(int(x) for x in block.strip("{}").split(",") if x) for block in label.split("|")]


def _group_tables(game: Game, group: tuple[int, ...]) -> np.ndarray:
    """Payoffs reshaped to (members, |A_group|, |A_outsiders|) with the group's joint action
    flattened in C order over ``group`` and the outsiders' likewise."""
    k = game.n_players
    rest = tuple(i for i in range(k) if i not in group)
    order = list(group) + list(rest)
    n_group = int(np.prod([game.n_actions[i] for i in group]))
    tables = []
    for i in group:
        u = np.transpose(game.payoffs[..., i], order).reshape(n_group, -1)
        tables.append(u)
    return np.stack(tables)


def _joint_index(game: Game, group: tuple[int, ...], profiles: np.ndarray) -> np.ndarray:
    sizes = [game.n_actions[i] for i in group]
    idx = np.zeros(len(profiles), dtype=np.int64)
    for pos, i in enumerate(group):
        idx = idx * sizes[pos] + profiles[:, i]
    return idx


def _distribution(game: Game, group: tuple[int, ...], profiles: np.ndarray) -> np.ndarray:
    n_group = int(np.prod([game.n_actions[i] for i in group]))
    counts = np.bincount(_joint_index(game, group, profiles), minlength=n_group)
    return counts / counts.sum()


def guaranteed(game: Game, group, profiles, outsiders: str = "correlated") -> np.ndarray:
    """What ``group`` guarantees each member by replaying its empirical joint distribution
    over ``profiles`` (rows of action indices), against the worst outsiders."""
    group = tuple(sorted(group))
    profiles = np.asarray(profiles)
    tables = _group_tables(game, group)  # (m, A_C, A_out)
    alpha = _distribution(game, group, profiles)
    if outsiders == "correlated":
        return (tables.min(axis=2) * alpha[None, :]).sum(axis=1)
    if outsiders == "independent":
        return np.einsum("a,mao->mo", alpha, tables).min(axis=1)
    raise ValueError(f"outsiders must be one of {OUTSIDER_MODES}, got {outsiders!r}")


def best_strict_improvement(game: Game, group, v, outsiders: str = "correlated") -> float:
    """max t such that some joint distribution of ``group`` guarantees every member
    ``v_i + t`` (LP). Positive: the group can do strictly better for all its members."""
    group = tuple(sorted(group))
    tables = _group_tables(game, group)
    m, n, n_out = tables.shape
    v = np.asarray(v, dtype=float)[list(group)]
    if outsiders == "correlated":
        rows = tables.min(axis=2)  # (m, n): g_i(a)
        rhs = v
    else:  # one constraint per member and outsider profile
        rows = tables.transpose(0, 2, 1).reshape(m * n_out, n)
        rhs = np.repeat(v, n_out)
    # variables (α_1..α_n, t); minimise -t s.t. -rows·α + t <= -rhs
    c = np.zeros(n + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-rows, np.ones((rows.shape[0], 1))])
    a_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    res = linprog(
        c, A_ub=a_ub, b_ub=-rhs, A_eq=a_eq, b_eq=[1.0], bounds=[(0, None)] * n + [(None, None)], method="highs"
    )
    if not res.success:  # pragma: no cover - always feasible and bounded
        raise RuntimeError(f"coalition LP failed: {res.message}")
    return float(-res.fun)


def _choose_partition(k: int, qualifying: list[frozenset]) -> tuple[frozenset, ...]:
    minimal = [c for c in qualifying if not any(o < c for o in qualifying)]
    minimal.sort(key=lambda c: (len(c), sorted(c)))
    chosen: list[frozenset] = []
    used: set[int] = set()
    for c in minimal:
        if not (c & used):
            chosen.append(c)
            used |= c
    chosen += [frozenset([i]) for i in range(k) if i not in used]
    return tuple(sorted(chosen, key=min))


@lru_cache(maxsize=8192)
def _analyze_cached(game: Game, key: tuple, outsiders: str, tol: float) -> CoalitionReport:
    profiles = np.array(key, dtype=np.int64).reshape(-1, game.n_players)
    k = game.n_players
    v = np.mean([game.payoffs[tuple(p)] for p in profiles], axis=0)
    security = np.array([game.security_value(i) for i in range(k)])
    qualifying = []
    for size in range(2, k + 1):
        for group in itertools.combinations(range(k), size):
            g = guaranteed(game, group, profiles, outsiders)
            members = list(group)
            if np.all(g >= v[members] - tol) and np.any(v[members] > security[members] + tol):
                qualifying.append(frozenset(group))
    structure = _choose_partition(k, qualifying)
    blocking = []
    for size in range(1, k + 1):
        for group in itertools.combinations(range(k), size):
            if best_strict_improvement(game, group, v, outsiders) > tol:
                blocking.append(frozenset(group))
    return CoalitionReport(structure, tuple(blocking), tuple(float(x) for x in v), outsiders)


def analyze_coalitions(
    game: Game, cycle_profiles, outsiders: str = "correlated", tol: float | None = None
) -> CoalitionReport:
    """Coalition structure, blocking groups and cycle payoff of one cycle (see module doc)."""
    if outsiders not in OUTSIDER_MODES:
        raise ValueError(f"outsiders must be one of {OUTSIDER_MODES}, got {outsiders!r}")
    profiles = np.asarray(cycle_profiles, dtype=np.int64).reshape(-1, game.n_players)
    if len(profiles) == 0:
        raise ValueError("a cycle needs at least one profile")
    tol = game.tolerance * 1e3 if tol is None else tol
    return _analyze_cached(game, tuple(profiles.reshape(-1).tolist()), outsiders, float(tol))


def coalition_structure(game: Game, cycle_profiles, outsiders: str = "correlated") -> list[frozenset]:
    """The coalition structure of a cycle as a list of frozensets of seats (a partition)."""
    return list(analyze_coalitions(game, cycle_profiles, outsiders).structure)


def pure_coalition_structure(game: Game, cycle_profiles) -> list[frozenset]:
    """Who locked in with whom: minimal groups (>= 2) whose pure joint action in *every*
    round of the cycle guarantees each member that round's payoff against any outsiders,
    with some member above its security value in some round."""
    profiles = np.asarray(cycle_profiles, dtype=np.int64).reshape(-1, game.n_players)
    k = game.n_players
    tol = game.tolerance * 1e3
    security = np.array([game.security_value(i) for i in range(k)])
    qualifying = []
    for size in range(2, k + 1):
        for group in itertools.combinations(range(k), size):
            tables = _group_tables(game, group).min(axis=2)  # (m, A_C)
            idx = _joint_index(game, group, profiles)
            members = list(group)
            locked = above = True
            above = False
            for t, a in enumerate(idx):
                v_t = game.payoffs[tuple(profiles[t])][members]
                if np.any(tables[:, a] < v_t - tol):
                    locked = False
                    break
                above = above or bool(np.any(v_t > security[members] + tol))
            if locked and above:
                qualifying.append(frozenset(group))
    return list(_choose_partition(k, qualifying))
