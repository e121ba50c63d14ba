"""Parity of wrapped ``axelrod:<ClassName>`` strategies with the Axelrod library itself.

Each library strategy is played, wrapped, inside our engine against a fixed panel of library
opponents (also wrapped) and compared with the same pairing played by ``axelrod.Match``:

- **move by move on the same seeds.** ``axelrod.Match(players, turns, seed=s)`` seeds each
  stochastic player with ``set_seed(x)``, ``x`` drawn from the match's generator. Our match
  gives the wrapped players those same ``x`` (instead of drawing them from the seat's
  generator, see :meth:`AxelrodStrategy.player_seed`), so a strategy whose randomness all
  comes from its own ``_random`` plays the same moves. Deterministic pairings need no seed.
- **by payoff distribution** where that is not the same play: both sides play ``n`` matches
  on independent seeds, and the per-match mean payoffs of each seat are compared with a
  two-sample Kolmogorov–Smirnov test (conservative with ties), at a family-wise level over
  the whole sweep (Holm–Bonferroni, done by the caller over all p-values).

Verdicts: ``identical`` (every compared match equal move by move), ``statistically equal``
(not move-by-move identical, no significant difference in distribution), ``different``,
``unsupported`` (the library classifies it as inspecting or manipulating the opponent's
source or state: the adapter's stand-in opponent is not the real one).

Used by ``tests/test_axelrod_parity.py`` (the deterministic strategies, in CI) and by
``benchmarks/axelrod_parity_sweep.py`` (all of ``axelrod.all_strategies``, table in
``docs/axelrod.md``). Needs the optional ``axelrod`` package (imported on first use).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from strategies.axelrod_adapter import _CHEATING, _axelrod, wrapper

from .. import games
from ..engine.match import play_match

TURNS = 200
# Our 12 deterministic classics, as the library's classes of the same idea.
CLASSICS = (
    "Cooperator",
    "Defector",
    "TitForTat",
    "Grudger",
    "WinStayLoseShift",
    "TitFor2Tats",
    "TwoTitsForTat",
    "SuspiciousTitForTat",
    "Alternator",
    "Cycler",
    "GoByMajority",
    "Bully",
)
# A few library strategies that exercise what the adapter passes on: seeded randomness
# (Random, GTFT), the game (GTFT, ZDExtort2), the match length (Tideman and Chieruzzi,
# BackStabber) and a probing opponent (Prober).
LIBRARY = ("Random", "GTFT", "ZDExtort2", "FirstByTidemanAndChieruzzi", "BackStabber", "Prober")
PANEL = CLASSICS + LIBRARY


def library():
    return _axelrod()


def cheats(name: str) -> list[str]:
    """The library's classifier keys saying that ``name`` inspects or manipulates its opponent."""
    cls = _class(name)
    return [c for c in _CHEATING if cls.classifier.get(c)]


@cache
def is_stochastic(name: str) -> bool:
    """The library's classifier of a default instance (what ``axelrod.Match`` checks)."""
    axl = library()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(axl.Classifiers["stochastic"](_class(name)()))


@cache
def _class(name: str) -> type[Any]:
    axl = library()
    return {cls.__name__: cls for cls in axl.all_strategies}.get(name) or getattr(axl, name)


@cache
def _seeded_class(name: str) -> type[Any]:
    """The wrapper of ``name`` whose library player takes the seed it is given (``fixed_seed``)
    instead of one drawn from the seat's generator."""
    base = wrapper(name)

    def player_seed(self) -> int:
        return int(self.fixed_seed)

    return type(f"Seeded_{name}", (base,), {"player_seed": player_seed, "fixed_seed": 0})


def _codes(plays) -> np.ndarray:
    C = library().Action.C
    return np.array([[0 if a == C else 1 for a in pair] for pair in plays], dtype=np.int64).reshape(-1, 2)


def library_match(
    a: str, b: str, *, turns: int = TURNS, seed: int = 0, prob_end: float | None = None
) -> tuple[np.ndarray, list[int | None]]:
    """``axelrod.Match((a(), b()), turns, seed=seed).play()`` as a (turns, 2) array of 0 = C,
    1 = D, and the seed ``Match`` gave each player (None for a player it did not seed)."""
    axl = library()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        players = (_class(a)(), _class(b)())
        match = axl.Match(players, turns=None if prob_end else turns, prob_end=prob_end, seed=seed)
        plays = match.play()
        seeds = [int(p._seed) if axl.Classifiers["stochastic"](p) else None for p in players]
    return _codes(plays), seeds


def our_match(
    a: str,
    b: str,
    *,
    turns: int = TURNS,
    seed: int = 0,
    player_seeds=(None, None),
    prob_end: float | None = None,
    game=None,
):
    """The same pairing in our engine (both wrapped), on ``axelrod_pd``. ``player_seeds``
    gives the library players the seeds ``axelrod.Match`` gave them; None draws them from
    the seats' own generators as in any tournament. Returns the :class:`MatchResult`."""
    seated = []
    for name, ps in zip((a, b), player_seeds):
        if ps is None:
            seated.append(wrapper(name)())
        else:
            s = _seeded_class(name)()
            s.fixed_seed = ps
            seated.append(s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return play_match(
            game or games.get("axelrod_pd"), seated, turns=None if prob_end else turns, prob_end=prob_end, seed=seed
        )


@dataclass
class Pairing:
    """The comparison of one strategy (seat 0) with one panel opponent (seat 1)."""

    opponent: str
    seeded: bool  # stochastic pairing: compared on the seeds axelrod.Match chose
    matches: int = 0  # matches compared move by move
    identical: int = 0  # ... of which equal in every move
    first_difference: tuple[int, int] | None = None  # (seed, turn) of the first mismatch
    p_values: tuple[float, float] | None = None  # KS test of the per-match payoffs, per seat
    means: tuple[tuple[float, float], tuple[float, float]] | None = None  # (ours, library) per seat

    @property
    def all_identical(self) -> bool:
        return self.matches > 0 and self.identical == self.matches


@dataclass
class Outcome:
    """The sweep's result for one strategy (``verdict`` is filled by :func:`verdicts`)."""

    name: str
    stochastic: bool
    pairings: list[Pairing] = field(default_factory=list)
    unsupported: str = ""
    verdict: str = ""
    seconds: float = 0.0

    @property
    def identical(self) -> bool:
        return not self.unsupported and all(p.all_identical for p in self.pairings)

    @property
    def p_values(self) -> list[float]:
        return [p for pr in self.pairings if pr.p_values for p in pr.p_values]


def compare_moves(name: str, opponent: str, seeds=range(3), turns: int = TURNS) -> Pairing:
    """Move-by-move comparison of ``name`` against ``opponent`` (one match if both are
    deterministic, else one per seed, on the seeds ``axelrod.Match`` gives the players)."""
    seeded = is_stochastic(name) or is_stochastic(opponent)
    pr = Pairing(opponent, seeded)
    for seed in seeds if seeded else [0]:
        lib, player_seeds = library_match(name, opponent, turns=turns, seed=seed)
        ours = our_match(name, opponent, turns=turns, seed=seed, player_seeds=player_seeds).actions
        pr.matches += 1
        if np.array_equal(ours, lib):
            pr.identical += 1
        elif pr.first_difference is None:
            n = min(len(ours), len(lib))
            bad = np.flatnonzero((ours[:n] != lib[:n]).any(axis=1))
            pr.first_difference = (seed, int(bad[0]) if bad.size else n)
    return pr


def compare_payoffs(name: str, opponent: str, pr: Pairing, n: int = 100, turns: int = TURNS) -> Pairing:
    """Two-sample KS test of the per-match mean payoffs (each seat) over ``n`` matches per
    side on independent seeds; fills ``pr.p_values`` and ``pr.means``."""
    from scipy import stats

    game = library().Game()
    ours = np.empty((n, 2))
    lib = np.empty((n, 2))
    for i in range(n):
        ours[i] = our_match(name, opponent, turns=turns, seed=10_000 + i).mean_payoffs
        plays, _ = library_match(name, opponent, turns=turns, seed=20_000 + i)
        lib[i] = _mean_payoffs(plays, game)

    def p_value(j: int) -> float:
        return float(stats.ks_2samp(ours[:, j], lib[:, j]).pvalue)

    def means(j: int) -> tuple[float, float]:
        return float(ours[:, j].mean()), float(lib[:, j].mean())

    pr.p_values = (p_value(0), p_value(1))
    pr.means = (means(0), means(1))
    return pr


def _mean_payoffs(codes: np.ndarray, game) -> np.ndarray:
    r, p, s, t = game.RPST()
    mine = np.array([[r, s], [t, p]], dtype=float)  # own payoff by (own, other), 0 = C
    return np.array([mine[codes[:, 0], codes[:, 1]].mean(), mine[codes[:, 1], codes[:, 0]].mean()])


def sweep_one(name: str, panel=PANEL, seeds=range(3), n_stat: int = 100, turns: int = TURNS) -> Outcome:
    """Compare one library strategy with the library against the whole panel."""
    import time

    start = time.perf_counter()
    out = Outcome(name, is_stochastic(name) if not cheats(name) else False)
    bad = cheats(name)
    if bad:
        out.unsupported = (
            "the library classifies it as "
            + " and ".join(c.replace("_", " ") for c in bad)
            + "; the adapter's stand-in opponent is not the real one"
        )
        out.verdict = "unsupported"
        return out
    for opponent in panel:
        pr = compare_moves(name, opponent, seeds, turns)
        if not pr.all_identical and pr.seeded and n_stat:
            compare_payoffs(name, opponent, pr, n_stat, turns)
        out.pairings.append(pr)
    out.seconds = time.perf_counter() - start
    return out


def verdicts(outcomes: list[Outcome], alpha: float = 0.05) -> None:
    """Set each outcome's verdict; the KS p-values of all outcomes form one family (Holm)."""
    tests = [(i, p) for i, o in enumerate(outcomes) for p in o.p_values]
    rejected = set()
    if tests:
        order = sorted(range(len(tests)), key=lambda k: tests[k][1])
        m = len(tests)
        for rank, k in enumerate(order):
            if tests[k][1] > alpha / (m - rank):
                break
            rejected.add(tests[k][0])
    for i, o in enumerate(outcomes):
        if o.unsupported:
            o.verdict = "unsupported"
        elif o.identical:
            o.verdict = "identical"
        elif any(not p.all_identical and p.p_values is None for p in o.pairings) or i in rejected:
            o.verdict = "different"
        else:
            o.verdict = "statistically equal"
