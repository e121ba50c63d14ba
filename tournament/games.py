"""The game library (README "Library games") and the seeded symmetric common-payoff generators.

``get(name, **params)`` builds a library game; ``names()`` lists them; ``info(name)``
gives players, parameters and a one-line description (used by ``tournament list games``).
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import GameError, close_matches
from .game import Game


@dataclass(frozen=True)
class GameInfo:
    name: str
    factory: Callable[..., Game]
    players: str  # "2", "3" or "k >= 2"
    description: str

    @property
    def params(self) -> dict:
        sig = inspect.signature(self.factory)
        return {p.name: p.default for p in sig.parameters.values()}


_LIBRARY: dict[str, GameInfo] = {}


def _register(name: str, players: str):
    def deco(fn):
        doc = (fn.__doc__ or "").strip().splitlines()[0]
        _LIBRARY[name] = GameInfo(name, fn, players, doc)
        return fn

    return deco


def names() -> list[str]:
    """Names of the library games."""
    return sorted(_LIBRARY)


def info(name: str) -> GameInfo:
    if name not in _LIBRARY:
        raise GameError(
            f"unknown game {name!r}." + close_matches(name, _LIBRARY) + f" Library games: {', '.join(names())}"
        )
    return _LIBRARY[name]


def get(name: str, **params) -> Game:
    """A library game by name, with parameters as keywords (``get("stag_hunt", players=3)``)."""
    gi = info(name)
    known = gi.params
    for key in params:
        if key not in known:
            raise GameError(
                f"game {name!r} has no parameter {key!r}; parameters are {sorted(known) or 'none'}."
                + close_matches(key, known)
            )
    merged = {**known, **params}
    for key, value in merged.items():
        default = known[key]
        if isinstance(default, bool) or isinstance(value, bool):
            continue
        if isinstance(default, (int, float)) and not isinstance(value, (int, float)):
            raise GameError(f"game {name!r}: parameter {key!r} must be a number, got {value!r}")
    try:
        game = gi.factory(**merged)
    except GameError:
        raise
    except (TypeError, ValueError) as exc:
        raise GameError(f"game {name!r}: invalid parameters {params}: {exc}") from None
    return game


def _two_player(name, a0, a1, table, params, description="", players=None) -> Game:
    """Build a bimatrix game from ``table[row][col] = (u0, u1)``."""
    return Game(
        np.array(table, dtype=float),
        actions=[a0, a1],
        name=name,
        params=params,
        description=description,
        players=players,
    )


def _k_player(name: str, k: int, labels, fn, params, description="", players=None) -> Game:
    """Build a k-player game from a payoff function of the action-index profile."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise GameError(f"game {name!r}: players must be a positive integer, got {k!r}")
    n = len(labels)
    arr = np.zeros((n,) * k + (k,))
    for prof in itertools.product(range(n), repeat=k):
        arr[prof] = fn(prof)
    return Game(arr, actions=[list(labels)] * k, name=name, params=params, description=description, players=players)


# --------------------------------------------------------------------- 2-player
@_register("prisoners_dilemma", "2")
def prisoners_dilemma(R: float = 2, S: float = 0, T: float = 3, P: float = 1) -> Game:
    """Prisoner's dilemma, actions C/D; defaults are the haggling text's R=2,S=0,T=3,P=1."""
    return _two_player(
        "prisoners_dilemma",
        ["C", "D"],
        ["C", "D"],
        [[(R, R), (S, T)], [(T, S), (P, P)]],
        dict(R=R, S=S, T=T, P=P),
    )


@_register("axelrod_pd", "2")
def axelrod_pd(R: float = 3, S: float = 0, T: float = 5, P: float = 1) -> Game:
    """Axelrod's prisoner's dilemma R=3,S=0,T=5,P=1."""
    g = prisoners_dilemma(R=R, S=S, T=T, P=P)
    return Game(g.payoffs, g.actions, name="axelrod_pd", params=dict(R=R, S=S, T=T, P=P))


@_register("schelling_pub", "2")
def schelling_pub(high: float = 2, low: float = 1, apart: float = 0) -> Game:
    """Battle of the sexes: both at X -> (2,1), both at Y -> (1,2), apart -> (0,0)."""
    return _two_player(
        "schelling_pub",
        ["X", "Y"],
        ["X", "Y"],
        [[(high, low), (apart, apart)], [(apart, apart), (low, high)]],
        dict(high=high, low=low, apart=apart),
    )


@_register("matching_pennies", "2")
def matching_pennies(stake: float = 1) -> Game:
    """Matching pennies: player 0 wins the stake when the coins match, player 1 otherwise."""
    s = stake
    return _two_player(
        "matching_pennies", ["H", "T"], ["H", "T"], [[(s, -s), (-s, s)], [(-s, s), (s, -s)]], dict(stake=s)
    )


@_register("chicken", "2")
def chicken(win: float = 1, lose: float = -1, crash: float = -10, tie: float = 0) -> Game:
    """Chicken: Swerve/Straight; straight vs swerve -> (win, lose), both straight -> crash."""
    return _two_player(
        "chicken",
        ["Swerve", "Straight"],
        ["Swerve", "Straight"],
        [[(tie, tie), (lose, win)], [(win, lose), (crash, crash)]],
        dict(win=win, lose=lose, crash=crash, tie=tie),
    )


@_register("hawk_dove", "2")
def hawk_dove(V: float = 2, C: float = 4) -> Game:
    """Hawk-dove: HH -> ((V-C)/2, (V-C)/2), HD -> (V, 0), DD -> (V/2, V/2); ESS hawk share V/C."""
    h = (V - C) / 2
    return _two_player(
        "hawk_dove",
        ["Hawk", "Dove"],
        ["Hawk", "Dove"],
        [[(h, h), (V, 0)], [(0, V), (V / 2, V / 2)]],
        dict(V=V, C=C),
    )


@_register("rock_paper_scissors", "2")
def rock_paper_scissors(win: float = 1, lose: float = -1, tie: float = 0) -> Game:
    """Rock-paper-scissors: R beats S, S beats P, P beats R."""
    beats = {(0, 2), (2, 1), (1, 0)}
    table = [
        [(win, lose) if (a, b) in beats else (lose, win) if (b, a) in beats else (tie, tie) for b in range(3)]
        for a in range(3)
    ]
    return _two_player(
        "rock_paper_scissors", ["R", "P", "S"], ["R", "P", "S"], table, dict(win=win, lose=lose, tie=tie)
    )


@_register("taxi_identical", "2")
def taxi_identical() -> Game:
    """Two identical taxis, actions H/W: split (H,W)/(W,H) -> 1, same place -> 0 (seed 002)."""
    return _two_player("taxi_identical", ["H", "W"], ["H", "W"], [[(0, 0), (1, 1)], [(1, 1), (0, 0)]], {})


@_register("taxi_both_needed", "2")
def taxi_both_needed() -> Game:
    """Both taxis needed at one place, actions H/W: same -> 1, split -> 0 (seed 002)."""
    return _two_player("taxi_both_needed", ["H", "W"], ["H", "W"], [[(1, 1), (0, 0)], [(0, 0), (1, 1)]], {})


@_register("degenerate_3x3", "2")
def degenerate_3x3(epsilon: float = 0.1) -> Game:
    """Common payoff, rows/cols a,b,c: [[1,1,1],[1,-10,1+e],[1,1+e,-10]] (seed 002, Ex. 5.0.5)."""
    e = epsilon
    u: list[list[float]] = [[1, 1, 1], [1, -10, 1 + e], [1, 1 + e, -10]]
    return _two_player(
        "degenerate_3x3", ["a", "b", "c"], ["a", "b", "c"], [[(v, v) for v in row] for row in u], dict(epsilon=e)
    )


# --------------------------------------------------------------------- k-player
@_register("stag_hunt", "k >= 2")
def stag_hunt(players: int = 2, stag: float = 3, rabbit: float = 1, failed: float = 0) -> Game:
    """Stag hunt: all Stag -> each `stag`; a Rabbit hunter gets `rabbit`; a Stag hunter gets `failed` if anyone hunts Rabbit."""

    def pay(prof):
        all_stag = all(a == 0 for a in prof)
        return [stag if all_stag else (rabbit if a == 1 else failed) for a in prof]

    return _k_player(
        "stag_hunt", players, ["Stag", "Rabbit"], pay, dict(players=players, stag=stag, rabbit=rabbit, failed=failed)
    )


@_register("coordination_high_low", "k >= 2")
def coordination_high_low(players: int = 2, high: float = 10, low: float = 5, miss: float = 0) -> Game:
    """Common payoff: all High -> 10, all Low -> 5, otherwise 0 (seed 000)."""

    def pay(prof):
        v = high if all(a == 0 for a in prof) else low if all(a == 1 for a in prof) else miss
        return [v] * len(prof)

    return _k_player(
        "coordination_high_low", players, ["High", "Low"], pay, dict(players=players, high=high, low=low, miss=miss)
    )


@_register("robots_abc", "k >= 2")
def robots_abc(players: int = 10, epsilon: float = 0.1) -> Game:
    """Common payoff, actions a/b/c: all a -> 1; exactly one b and the rest c -> 1+e; else 0 (seed 002, §2.1)."""

    def pay(prof):
        if all(a == 0 for a in prof):
            v = 1.0
        elif prof.count(1) == 1 and prof.count(2) == len(prof) - 1:
            v = 1.0 + epsilon
        else:
            v = 0.0
        return [v] * len(prof)

    if isinstance(players, (int, np.integer)) and players > 12:
        raise GameError(f"game 'robots_abc': players={players} gives 3^{players} profiles; use at most 12")
    return _k_player("robots_abc", players, ["a", "b", "c"], pay, dict(players=players, epsilon=epsilon))


@_register("schelling_order", "3")
def schelling_order(prize: float = 1) -> Game:
    """Three players each pick an ordering of ABC; all equal -> 1 each, else 0."""
    orders = ["".join(p) for p in itertools.permutations("ABC")]
    return _k_player(
        "schelling_order", 3, orders, lambda prof: [prize if len(set(prof)) == 1 else 0.0] * 3, dict(prize=prize)
    )


@_register("cake_splitting", "3")
def cake_splitting(pair: float = 5 / 12, alone: float = 1 / 3) -> Game:
    """Players A,B,C each name another; a mutual pair gets 5/12 each and the third 0; no mutual pair -> 1/3 each."""
    names = ["A", "B", "C"]
    others = [[j for j in range(3) if j != i] for i in range(3)]
    arr = np.zeros((2, 2, 2, 3))
    for prof in itertools.product(range(2), repeat=3):
        named = [others[i][a] for i, a in enumerate(prof)]
        mutual = [(i, j) for i in range(3) for j in range(i + 1, 3) if named[i] == j and named[j] == i]
        if mutual:
            i, j = mutual[0]
            arr[prof] = [pair if p in (i, j) else 0.0 for p in range(3)]
        else:
            arr[prof] = [alone] * 3
    return Game(
        arr,
        actions=[[names[j] for j in others[i]] for i in range(3)],
        name="cake_splitting",
        players=names,
        params=dict(pair=pair, alone=alone),
    )


@_register("demand_3p", "3")
def demand_3p() -> Game:
    """Alice, Bob, Charlie ask 1/2/3: (3,3,1) or (1,1,3) granted; Alice and Bob both 2 -> (2,2,0); else 0."""
    arr = np.zeros((3, 3, 3, 3))
    for prof in itertools.product(range(3), repeat=3):
        ask = tuple(a + 1 for a in prof)
        if ask in ((3, 3, 1), (1, 1, 3)):
            arr[prof] = ask
        elif ask[0] == 2 and ask[1] == 2:
            arr[prof] = (2, 2, 0)
    return Game(arr, actions=[["1", "2", "3"]] * 3, name="demand_3p", players=["Alice", "Bob", "Charlie"])


@_register("sacrifice_vote", "3")
def sacrifice_vote() -> Game:
    """Players A,B,C vote for one to sacrifice: >= 2 votes -> that player 0, others 1; one vote each -> all 0."""
    arr = np.zeros((3, 3, 3, 3))
    for prof in itertools.product(range(3), repeat=3):
        votes = [prof.count(p) for p in range(3)]
        if max(votes) >= 2:
            victim = votes.index(max(votes))
            arr[prof] = [0.0 if p == victim else 1.0 for p in range(3)]
    return Game(arr, actions=[["A", "B", "C"]] * 3, name="sacrifice_vote", players=["A", "B", "C"])


# ------------------------------------------------------------------ generators
def _symmetric_common(name: str, n_players: int, n_actions: int, value_of: Callable, seed) -> Game:
    """A totally symmetric common-payoff game: one payoff per multiset of actions."""
    if n_players < 1 or n_actions < 1:
        raise GameError(f"{name}: need N >= 1 players and A >= 1 actions, got N={n_players}, A={n_actions}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    multisets = list(itertools.combinations_with_replacement(range(n_actions), n_players))
    values = {m: value_of(m, rng) for m in multisets}
    arr = np.empty((n_actions,) * n_players)
    for prof in itertools.product(range(n_actions), repeat=n_players):
        arr[prof] = values[tuple(sorted(prof))]
    payoffs = np.repeat(arr[..., None], n_players, axis=-1)
    labels = [f"a{j}" for j in range(n_actions)]
    params = dict(N=n_players, A=n_actions)
    if not isinstance(seed, np.random.Generator):
        params["seed"] = seed
    return Game(payoffs, actions=[labels] * n_players, name=name, params=params)


@_register("random_game", "N (param)")
def random_game(N: int = 2, A: int = 2, seed: int = 0) -> Game:
    """Symmetric common-payoff game, each unordered profile's payoff ~ Unif(-100, 100) (seed 002 F.1)."""
    return _symmetric_common("random_game", N, A, lambda m, r: r.uniform(-100, 100), seed)


@_register("coordination_game", "N (param)")
def coordination_game(N: int = 2, A: int = 2, seed: int = 0) -> Game:
    """All-equal profiles ~ Unif(0, 100), all others ~ Unif(-100, 0) (seed 002 F.1)."""
    return _symmetric_common(
        "coordination_game",
        N,
        A,
        lambda m, r: r.uniform(0, 100) if len(set(m)) == 1 else r.uniform(-100, 0),
        seed,
    )


@_register("collaboration_game", "N (param)")
def collaboration_game(N: int = 2, A: int = 2, seed: int = 0) -> Game:
    """All-equal profiles 100, all others ~ Unif(-100, 99) (seed 002 F.1)."""
    return _symmetric_common(
        "collaboration_game",
        N,
        A,
        lambda m, r: 100.0 if len(set(m)) == 1 else r.uniform(-100, 99),
        seed,
    )


GENERATORS: dict[str, Callable[..., Game]] = {
    "random_game": random_game,
    "coordination_game": coordination_game,
    "collaboration_game": collaboration_game,
}


def n_profiles_multisets(N: int, A: int) -> int:
    """Number of unordered profiles (multisets of size N over A actions)."""
    return math.comb(N + A - 1, N)
