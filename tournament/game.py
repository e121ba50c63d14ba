"""The normal-form game: payoff table, labels, validation and derived facts."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from .errors import GameError

# Payoff comparisons (ties in best responses, dominance) use this absolute tolerance
# scaled by the payoff range, so 5/12 computed two ways compares equal.
REL_TOL = 1e-9


def frozen_array(a) -> np.ndarray:
    """A copy of ``a`` in immutable memory (a ``bytes`` buffer): writing to it raises
    ``ValueError``, and so does ``setflags(write=True)``, on it and on every view of it."""
    a = np.ascontiguousarray(a)
    return np.frombuffer(a.tobytes(), dtype=a.dtype).reshape(a.shape)


class Game:
    """A finite k-player normal-form game.

    ``payoffs`` is a float array of shape ``(n_1, ..., n_k, k)``: entry ``[a_1, ..., a_k, i]``
    is player i's payoff at the pure profile ``(a_1, ..., a_k)`` (quantecon's "payoff
    profile array" convention). ``actions`` gives each player's action labels (default
    ``"0", "1", ...``); ``players`` optional player names.

    Games are immutable values: the payoff table (and every array derived from it) lives in
    read-only memory that cannot be flagged writable, and attributes cannot be reassigned.
    """

    def __init__(
        self,
        payoffs: Any,
        actions: Sequence[Sequence[str]] | None = None,
        name: str | None = None,
        *,
        players: Sequence[str] | None = None,
        params: dict | None = None,
        description: str = "",
    ) -> None:
        try:
            arr = np.array(payoffs, dtype=float)
        except (TypeError, ValueError) as exc:
            raise GameError(f"payoffs: not a numeric array ({exc})") from None
        if arr.ndim < 2:
            raise GameError(f"payoffs: expected an array of shape (n_1, ..., n_k, k), got shape {arr.shape}")
        k = arr.shape[-1]
        if arr.ndim - 1 != k:
            raise GameError(
                f"payoffs: shape {arr.shape} has {arr.ndim - 1} action axes but a last axis of "
                f"length {k}; the last axis must hold one payoff per player (k = number of action axes)"
            )
        if any(n == 0 for n in arr.shape[:-1]):
            raise GameError(f"payoffs: every player needs at least one action, shape is {arr.shape}")
        if not np.all(np.isfinite(arr)):
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            raise GameError(f"payoffs: non-finite value {arr[bad]} at index {bad}")
        if actions is None:
            actions = [[str(a) for a in range(n)] for n in arr.shape[:-1]]
        if len(actions) != k:
            raise GameError(f"actions: {len(actions)} action lists for a {k}-player payoff table")
        labels: list[tuple[str, ...]] = []
        for i, acts in enumerate(actions):
            if isinstance(acts, str) or not isinstance(acts, Iterable):
                raise GameError(f"actions[{i}]: expected a list of labels, got {acts!r}")
            acts = tuple(acts)
            if not all(isinstance(a, str) and a for a in acts):
                raise GameError(f"actions[{i}]: labels must be non-empty strings, got {list(acts)!r}")
            if len(acts) == 0:
                raise GameError(f"actions[{i}]: player {i} has no actions")
            if len(set(acts)) != len(acts):
                dup = sorted({a for a in acts if acts.count(a) > 1})
                raise GameError(f"actions[{i}]: duplicate labels {dup}")
            if len(acts) != arr.shape[i]:
                raise GameError(
                    f"actions[{i}]: {len(acts)} labels but the payoff table has {arr.shape[i]} "
                    f"actions for player {i} (payoffs shape {arr.shape})"
                )
            labels.append(acts)
        if players is None:
            players = [str(i) for i in range(k)]
        players = tuple(str(p) for p in players)
        if len(players) != k:
            raise GameError(f"players: {len(players)} names for a {k}-player game")
        self.payoffs: np.ndarray = frozen_array(arr)
        self.actions: tuple[tuple[str, ...], ...] = tuple(labels)
        self.players: tuple[str, ...] = players
        self.name: str = name or f"{k}-player game"
        self.params: dict = dict(params or {})
        self.description: str = description
        self._index = tuple(MappingProxyType({a: j for j, a in enumerate(acts)}) for acts in labels)
        self.__dict__["_frozen"] = True

    def __setattr__(self, name: str, value) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"Game is immutable: cannot set {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Game is immutable: cannot delete {name!r}")

    def isolated_copy(self) -> Game:
        """An equal game that shares only immutable parts with this one (what a strategy's view
        holds, so that nothing a strategy does to its game reaches another match)."""
        new = object.__new__(Game)
        keep = ("payoffs", "actions", "players", "name", "description", "_index")
        new.__dict__.update({key: self.__dict__[key] for key in keep})
        new.__dict__["params"] = dict(self.params)
        new.__dict__["_frozen"] = True
        return new

    # ------------------------------------------------------------------ basics
    @property
    def n_players(self) -> int:
        return self.payoffs.shape[-1]

    k = n_players

    @property
    def n_actions(self) -> tuple[int, ...]:
        return self.payoffs.shape[:-1]

    @property
    def n_profiles(self) -> int:
        return int(math.prod(self.n_actions))

    def action_index(self, player: int, action: int | str) -> int:
        """Index of ``action`` (label or index) for ``player``; GameError if unknown."""
        if isinstance(action, (int, np.integer)) and not isinstance(action, bool):
            if 0 <= int(action) < self.n_actions[player]:
                return int(action)
            raise GameError(f"player {player} has actions 0..{self.n_actions[player] - 1}, got index {action}")
        index = self._index[player]
        if isinstance(action, str) and action in index:  # labels are always strings
            return index[action]
        from .errors import close_matches

        raise GameError(
            f"player {player} has no action {action!r}; actions are {list(self.actions[player])}."
            + close_matches(action, self.actions[player])
        )

    def profile(self, labels: Sequence[int | str]) -> tuple[int, ...]:
        """A pure profile as a tuple of action indices, from labels or indices."""
        if len(labels) != self.n_players:
            raise GameError(f"a profile needs {self.n_players} actions, got {len(labels)}")
        return tuple(self.action_index(i, a) for i, a in enumerate(labels))

    def label(self, profile: Sequence[int]) -> str:
        """``(C,D)`` style label of a pure profile."""
        return "(" + ",".join(self.actions[i][int(a)] for i, a in enumerate(profile)) + ")"

    def payoff(self, profile: Sequence[int | str]) -> np.ndarray:
        """Payoff vector at a pure profile (labels or indices)."""
        return self.payoffs[self.profile(profile)]

    def profiles(self) -> Iterable[tuple[int, ...]]:
        """All pure profiles in C order (last player's action varies fastest)."""
        return itertools.product(*(range(n) for n in self.n_actions))

    @cached_property
    def profile_array(self) -> np.ndarray:
        """All pure profiles, shape (n_profiles, k), in C order."""
        return frozen_array(np.indices(self.n_actions).reshape(self.n_players, -1).T)

    @cached_property
    def payoff_vectors(self) -> np.ndarray:
        """Payoff vectors of all pure profiles, shape (n_profiles, k), in C order."""
        return self.payoffs.reshape(-1, self.n_players)

    @cached_property
    def strides(self) -> np.ndarray:
        """Multipliers turning a profile into its flat index in :attr:`payoff_vectors`."""
        n = self.n_actions
        return frozen_array(np.array([int(math.prod(n[i + 1 :])) for i in range(len(n))], dtype=np.int64))

    @cached_property
    def tolerance(self) -> float:
        """Absolute tolerance for payoff comparisons (relative to the payoff range)."""
        span = float(self.payoffs.max() - self.payoffs.min())
        return REL_TOL * max(span, 1.0)

    # ----------------------------------------------------------- derived facts
    @cached_property
    def is_common_payoff(self) -> bool:
        """All players get the same payoff at every profile."""
        p = self.payoffs
        return bool(np.all(np.abs(p - p[..., :1]) <= self.tolerance))

    @cached_property
    def is_symmetric(self) -> bool:
        """Invariant under every permutation of the players (with their action labels).

        Checking the adjacent transpositions suffices: they generate the symmetric group.
        """
        k = self.n_players
        if len(set(self.actions)) != 1:
            return False
        p = self.payoffs
        for i in range(k - 1):
            axes = list(range(k))
            axes[i], axes[i + 1] = axes[i + 1], axes[i]
            swapped = np.transpose(p, axes + [k])
            order = list(range(k))
            order[i], order[i + 1] = order[i + 1], order[i]
            swapped = swapped[..., order]
            if not np.all(np.abs(swapped - p) <= self.tolerance):
                return False
        return True

    def best_response_mask(self, player: int) -> np.ndarray:
        """Boolean array over profiles: is ``player``'s action a best response there?"""
        u = self.payoffs[..., player]
        return u >= u.max(axis=player, keepdims=True) - self.tolerance

    @cached_property
    def pure_nash_equilibria(self) -> list[tuple[int, ...]]:
        """All pure Nash equilibria, as action-index tuples in C order."""
        mask = np.ones(self.n_actions, dtype=bool)
        for i in range(self.n_players):
            mask &= self.best_response_mask(i)
        return [tuple(int(x) for x in idx) for idx in np.argwhere(mask)]

    @cached_property
    def pareto_optimal_profiles(self) -> list[tuple[int, ...]]:
        """Pure profiles whose payoff vector no other pure profile weakly dominates
        (at least as good for all, strictly better for one)."""
        vecs = self.payoff_vectors
        uniq, inverse = np.unique(np.round(vecs / self.tolerance) * self.tolerance, axis=0, return_inverse=True)
        tol = self.tolerance
        ge = np.all(uniq[:, None, :] >= uniq[None, :, :] - tol, axis=2)  # ge[q, p]: q >= p everywhere
        gt = np.any(uniq[:, None, :] > uniq[None, :, :] + tol, axis=2)
        dominated = np.any(ge & gt, axis=0)
        good = ~dominated[np.asarray(inverse).reshape(-1)]
        return [tuple(int(x) for x in self.profile_array[j]) for j in np.flatnonzero(good)]

    def pure_security_value(self, player: int) -> float:
        """max over own pure actions of the min over the others' joint actions."""
        u = np.moveaxis(self.payoffs[..., player], player, 0).reshape(self.n_actions[player], -1)
        return float(u.min(axis=1).max())

    def security_strategy(self, player: int) -> tuple[float, np.ndarray]:
        """Mixed security (maximin) value and strategy of ``player`` by linear programming.

        The others are allowed to correlate (the minimum runs over their pure joint
        actions), which for 2 players is von Neumann's maximin. Solved with scipy's HiGHS:
        maximise v s.t. sum_a x_a u(a, o) >= v for all o, x in the simplex.
        """
        value, x = _security_lp(self, int(player))
        return value, x.copy()

    def security_value(self, player: int, mixed: bool = True) -> float:
        """Security (maximin) value: mixed (LP) by default, or pure."""
        return self.security_strategy(player)[0] if mixed else self.pure_security_value(player)

    def rpst(self, cooperate: int = 0, defect: int = 1) -> tuple[float, float, float, float]:
        """(R, P, S, T) of player 0 in a 2-player game, for the given action indices."""
        if self.n_players != 2:
            raise GameError(f"R, P, S, T are defined for 2-player games; {self.name} has {self.n_players}")
        u = self.payoffs[..., 0]
        return (
            float(u[cooperate, cooperate]),
            float(u[defect, defect]),
            float(u[cooperate, defect]),
            float(u[defect, cooperate]),
        )

    # ----------------------------------------------------------- conversions
    def to_dict(self) -> dict:
        """A JSON/TOML-friendly description that :meth:`from_dict` reads back."""
        d = {
            "name": self.name,
            "players": list(self.players),
            "actions": [list(a) for a in self.actions],
            "payoffs": self.payoffs.tolist(),
        }
        if self.params:
            d["params"] = dict(self.params)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Game:
        return cls(
            d["payoffs"],
            actions=d.get("actions"),
            name=d.get("name"),
            players=d.get("players"),
            params=d.get("params"),
        )

    def describe(self) -> str:
        """Multi-line human summary: players, actions and the payoff of every profile
        (for small games)."""
        lines = [f"{self.name}: {self.n_players} players"]
        for i in range(self.n_players):
            lines.append(f"  player {i} ({self.players[i]}): {', '.join(self.actions[i])}")
        if self.n_profiles <= 64:
            for prof in self.profiles():
                vec = ", ".join(f"{v:g}" for v in self.payoffs[prof])
                lines.append(f"  {self.label(prof)} -> ({vec})")
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Game):
            return NotImplemented
        return (
            self.actions == other.actions
            and self.payoffs.shape == other.payoffs.shape
            and bool(np.array_equal(self.payoffs, other.payoffs))
        )

    def __hash__(self) -> int:
        h = self.__dict__.get("_hash")
        if h is None:  # games are immutable: hash the table once
            h = self.__dict__["_hash"] = hash((self.actions, self.payoffs.tobytes()))
        return h

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        shape = "x".join(str(n) for n in self.n_actions)
        return f"Game({self.name!r}, {shape}{params})"

    def __getstate__(self):
        state = self.__dict__.copy()
        # cached properties are cheap to rebuild; keep pickles small for workers
        for key in ("profile_array", "payoff_vectors", "strides", "_hash"):  # _hash: str hashing is per-process
            state.pop(key, None)
        state["_index"] = [dict(m) for m in self._index]  # mapping proxies do not pickle
        return state

    def __setstate__(self, state):
        state["payoffs"] = frozen_array(state["payoffs"])
        state["_index"] = tuple(MappingProxyType(dict(m)) for m in state["_index"])
        state.pop("_security", None)  # pickles of earlier versions
        self.__dict__.update(state)
        self.__dict__["_frozen"] = True


@functools.lru_cache(maxsize=256)
def _security_lp(game: Game, player: int) -> tuple[float, np.ndarray]:
    """The security LP of :meth:`Game.security_strategy`, solved once per game and player
    (cached here rather than on the game, where a strategy's view could reach it)."""
    from scipy.optimize import linprog

    u = np.moveaxis(game.payoffs[..., player], player, 0).reshape(game.n_actions[player], -1)
    n, m = u.shape
    c = np.zeros(n + 1)
    c[-1] = -1.0  # maximise v
    a_ub = np.hstack([-u.T, np.ones((m, 1))])  # v - sum_a x_a u(a,o) <= 0
    a_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    bounds = [(0, None)] * n + [(None, None)]
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(m), A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if not res.success:  # pragma: no cover - bounded feasible LP
        raise GameError(f"security LP failed for player {player}: {res.message}")
    x = np.clip(res.x[:n], 0, None)
    x /= x.sum()
    value = float(min(res.x[-1], (x @ u).min()))
    value = max(value, game.pure_security_value(player))  # guard LP round-off
    return value, frozen_array(x)
