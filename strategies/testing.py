"""Testing tools for strategy authors: play a strategy against a scripted opponent and pin its
moves, and check the promises every strategy makes (reproducible, deterministic when it says
so, clonable, its automaton plays as its hooks do).

A scripted opponent is a list of actions (labels or indices, repeated when the match is
longer than the list, as the Axelrod library's ``test_versus`` does) or a function of the
view returning the action (``lambda view: "D" if view.round % 3 == 2 else "C"``); any other
opponent is a strategy instance, class or registry name.

>>> from strategies.testing import assert_plays
>>> assert_plays("tit_for_tat", ["C", "D", "D", "C"], "CCDDC")
>>> assert_plays("grim", lambda view: "D" if view.round == 2 else "C", "CCCDDD")
>>> assert_plays("tit_for_tat", "alternator", [("C", "C"), ("C", "D"), ("D", "C")])
>>> assert_plays("tit_for_tat", ["D"], "CCD")  # doctest: +ELLIPSIS
Traceback (most recent call last):
  ...
AssertionError: tit_for_tat (seat 0) vs scripted D in prisoners_dilemma, 3 rounds, seed 0: first difference in round 1
  expected  CCD
  got       CDD
             ^
  round  expected  got  profile
      0  C         C    (C,D)
      1  C         D    (D,D)  <-
      2  D         D    (D,D)

The moves compared are the ones recorded, after noise (with ``noise > 0`` both seats' moves
may be flipped, reproducibly for a given ``seed``).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tournament import games as game_library
from tournament.engine.match import play_match
from tournament.engine.result import MatchResult
from tournament.game import Game
from tournament.view import MatchView

from .automaton import Automaton
from .base import Strategy
from .registry import build

__all__ = [
    "Scripted",
    "assert_automaton_agrees",
    "assert_clone_round_trip",
    "assert_deterministic",
    "assert_plays",
    "assert_reproducible",
    "random_script",
    "versus",
]

Opponent = Strategy | type | str | Sequence[Any] | Callable[[MatchView], Any]


class Scripted(Strategy):
    """Plays a script: a list of actions (labels or indices) repeated, or a function of the view."""

    name = "scripted"
    stochastic = False

    def __init__(self, script: Sequence[Any] | Callable[[MatchView], Any]):
        if isinstance(script, (str, bytes)):
            raise ValueError(f"a script is a list of actions, not a string: write list({script!r})")
        if not callable(script) and len(script) == 0:
            raise ValueError("a script is a non-empty list of actions or a function of the view")
        self.script = script

    def choose(self, view: MatchView):
        if callable(self.script):
            return self.script(view)
        return self.script[view.round % len(self.script)]

    def automaton(self, game: Game, seat: int, horizon: int | None = None) -> Automaton | None:
        if callable(self.script):
            return None  # a function may look at anything
        seq = [game.action_index(seat, a) for a in self.script]
        nxt = (np.arange(len(seq)) + 1) % len(seq)
        return Automaton.build(seq, np.broadcast_to(nxt[:, None], (len(seq), game.n_profiles)))

    def describe(self) -> str:
        if callable(self.script):
            return f"scripted {getattr(self.script, '__name__', 'function')}"
        return "scripted " + _join([str(a) for a in self.script])


def random_script(game: Game | str, seat: int = 1, turns: int = 100, seed: int = 0) -> list[str]:
    """``turns`` uniformly random action labels of ``seat`` in ``game``: a random history to
    play a strategy against (the same for a given seed)."""
    game = _game(game)
    labels = game.actions[seat]
    return [labels[a] for a in np.random.default_rng(seed).integers(len(labels), size=turns).tolist()]


def versus(
    strategy: Strategy | type | str,
    *opponents: Opponent,
    game: Game | str = "prisoners_dilemma",
    turns: int = 10,
    seat: int = 0,
    noise: float = 0.0,
    seed: int | None = 0,
    prob_end: float | None = None,
    reveal_length: bool = True,
    engine: str = "python",
) -> MatchResult:
    """Play ``strategy`` in seat ``seat`` of ``game`` against ``opponents`` (one per other seat,
    in seat order; each a strategy or a script, see the module docstring). ``engine``: the
    per-round engine by default, so the strategy's own hooks are what is tested.

    >>> m = versus("tit_for_tat", ["D", "C"], turns=4)
    >>> m.action_labels()
    [('C', 'D'), ('D', 'C'), ('C', 'D'), ('D', 'C')]
    """
    game = _game(game)
    if len(opponents) != game.n_players - 1:
        raise ValueError(
            f"{game.name!r} seats {game.n_players} players: give {game.n_players - 1} opponent(s), got {len(opponents)}"
        )
    if not 0 <= seat < game.n_players:
        raise ValueError(f"seat {seat} is not a seat of {game.name!r} (0..{game.n_players - 1})")
    players: list[Any] = [_opponent(o) for o in opponents]
    players.insert(seat, _strategy(strategy))
    names = [_name(p) for p in players]
    return play_match(
        game,
        players,
        turns=turns,
        prob_end=prob_end,
        noise=noise,
        seed=seed,
        names=names,
        reveal_length=reveal_length,
        engine=engine,
    )


def assert_plays(
    strategy: Strategy | type | str,
    opponent: Opponent,
    expected: str | Sequence[Any],
    *,
    others: Sequence[Opponent] = (),
    game: Game | str = "prisoners_dilemma",
    seat: int = 0,
    noise: float = 0.0,
    seed: int | None = 0,
    turns: int | None = None,
    reveal_length: bool = True,
    engine: str = "python",
) -> None:
    """Play ``strategy`` against ``opponent`` (and ``others``, in a game of more players) and
    assert its moves: ``expected`` is a string of one-character labels (``"CCDC"``), a list
    of labels or indices, or a list of whole profiles (``[("C", "D"), ...]``, every seat in
    seat order). The match lasts ``len(expected)`` rounds unless ``turns`` says otherwise
    (then the first ``len(expected)`` are compared). Raises AssertionError with a round-by-round
    diff. (:func:`versus` plays the same match and returns it, e.g. to check traces.)
    """
    game = _game(game)
    want = list(expected)
    if not want:
        raise ValueError("expected is empty: give at least one move")
    profiles = all(isinstance(x, tuple) for x in want)
    if profiles:
        want = [tuple(_label(game, j, a) for j, a in enumerate(p)) for p in want]
    else:
        want = [_label(game, seat, a) for a in want]
    n = len(want)
    m = versus(
        strategy,
        opponent,
        *others,
        game=game,
        turns=n if turns is None else turns,
        seat=seat,
        noise=noise,
        seed=seed,
        reveal_length=reveal_length,
        engine=engine,
    )
    rows = m.action_labels()[:n]
    got = rows if profiles else [r[seat] for r in rows]
    if got != want:
        raise AssertionError(_diff(m, seat, want, got, rows, profiles, noise, seed))


def assert_reproducible(
    strategy: Strategy | type | str,
    *opponents: Opponent,
    game: Game | str = "prisoners_dilemma",
    turns: int = 60,
    noise: float = 0.05,
    seed: int = 1,
) -> None:
    """Same seed, same play: two runs of the match, and a run with a clone of the strategy,
    give byte-identical actions, payoffs and traces (``opponents`` default to ``random``)."""
    game = _game(game)
    opponents = opponents or ("random",) * (game.n_players - 1)
    s = _strategy(strategy)
    runs = [versus(p, *opponents, game=game, turns=turns, noise=noise, seed=seed) for p in (s, s, s.clone())]
    for label, other in (("a second run", runs[1]), ("a clone", runs[2])):
        where = _first_difference(runs[0], other)
        if where:
            raise AssertionError(f"{s!r}: {label} with seed {seed} differs from the first run: {where}")


def assert_deterministic(
    strategy: Strategy | type | str,
    game: Game | str = "prisoners_dilemma",
    turns: int = 60,
    seeds: Sequence[int] = (1, 2, 3),
    script_seed: int = 0,
) -> None:
    """For a strategy that says it is deterministic (``is_stochastic`` False): against the same
    random script of opponents' moves, matches with different seeds (so different seat
    generators and shared random numbers ξ) give it the same moves and traces, in every seat."""
    game = _game(game)
    s = _strategy(strategy)
    if s.is_stochastic:
        raise AssertionError(f"{s!r} says it is stochastic (is_stochastic is True): nothing to check")
    for seat in range(game.n_players):
        scripts = [random_script(game, j, turns, script_seed + j) for j in range(game.n_players) if j != seat]
        runs = [versus(s.clone(), *scripts, game=game, turns=turns, seat=seat, seed=seed) for seed in seeds]
        for seed, other in zip(seeds[1:], runs[1:]):
            where = _first_difference(runs[0], other, seats=[seat])
            if where:
                raise AssertionError(
                    f"{s!r} (seat {seat}) says it is deterministic (is_stochastic is False) but "
                    f"plays differently with seed {seed} than with seed {seeds[0]}: {where}"
                )


def assert_clone_round_trip(
    strategy: Strategy | type | str,
    game: Game | str = "prisoners_dilemma",
    namespace: dict[str, Any] | None = None,
    pickled: bool | None = None,
) -> None:
    """``clone()``, pickling and the repr keep every parameter: the clone's and the unpickled
    copy's ``get_params()`` equal the original's, the other seats of a match of the instance
    against itself in ``game`` get them too, and the repr names every parameter that differs
    from its default — and, evaluated in ``namespace`` (default: the class under its own
    name), builds an equal strategy. ``pickled``: check the pickle round trip (True), skip it
    (False), or check it when the class can be pickled by reference (None, the default; a
    class defined inside a function cannot, and can then only play with ``workers = 1``)."""
    s = _strategy(strategy)
    params = s.get_params()
    copies = [("clone()", s.clone())]
    if pickled is None:
        try:
            pickle.dumps(type(s))
            pickled = True
        except (pickle.PicklingError, AttributeError, TypeError):
            pickled = False
    if pickled:
        copies.append(("a pickle round trip", pickle.loads(pickle.dumps(s))))
    for label, other in copies:
        if type(other) is not type(s) or not _equal(other.get_params(), params):
            raise AssertionError(f"{label} of {s!r} has parameters {other.get_params()!r}, not {params!r}")
    game = _game(game)
    seated = versus(s, *[s] * (game.n_players - 1), game=game, turns=1).strategies
    for j, other in enumerate(seated[1:], 1):
        if not _equal(other.get_params(), params):
            raise AssertionError(
                f"seat {j} of a match of {s!r} against itself gets parameters {other.get_params()!r}, not {params!r}"
            )
    text = repr(s)
    defaults = type(s).parameters()
    for key, value in params.items():
        if key not in defaults or not _equal(value, defaults[key]):
            if f"{key}=" not in text:
                raise AssertionError(f"repr {text!r} does not name the parameter {key}={value!r}")
    ns = {type(s).__name__: type(s)} if namespace is None else namespace
    try:
        rebuilt = eval(text, {"__builtins__": {}}, ns)  # noqa: S307 - our own repr, in a test
    except Exception as exc:  # noqa: BLE001 - say which repr fails and why
        raise AssertionError(f"repr {text!r} does not evaluate back ({type(exc).__name__}: {exc})") from None
    if type(rebuilt) is not type(s) or not _equal(rebuilt.get_params(), params):
        raise AssertionError(f"repr {text!r} evaluates to {rebuilt!r}, parameters {rebuilt.get_params()!r}")


def assert_automaton_agrees(
    strategy: Strategy | type | str,
    game: Game | str = "prisoners_dilemma",
    turns: int = 60,
    noise: float = 0.1,
    seed: int = 0,
) -> bool:
    """If the strategy declares an automaton for ``game``, it plays exactly as the strategy's
    own hooks, in every seat, against random scripts (their automata are cyclic): byte-identical
    actions and payoffs from the batch and the per-round engine, with noise. Returns whether
    the strategy declared one."""
    game = _game(game)
    s = _strategy(strategy)
    declared = False
    for seat in range(game.n_players):
        if s.automaton(game, seat, turns) is None:
            continue
        declared = True
        scripts = [random_script(game, j, turns, seed + j) for j in range(game.n_players) if j != seat]
        python = versus(s.clone(), *scripts, engine="python", game=game, turns=turns, seat=seat, noise=noise, seed=seed)
        auto = versus(
            s.clone(), *scripts, engine="automaton", game=game, turns=turns, seat=seat, noise=noise, seed=seed
        )
        where = _first_difference(python, auto, traces=False)
        if where:
            raise AssertionError(f"{s!r} (seat {seat}): its automaton plays differently from its hooks: {where}")
    return declared


# ---------------------------------------------------------------------- helpers
def _game(game: Game | str) -> Game:
    return game_library.get(game) if isinstance(game, str) else game


def _strategy(s: Strategy | type | str) -> Strategy:
    if isinstance(s, Strategy):
        return s
    return build(s) if isinstance(s, (str, type)) else _fail_type(s)


def _opponent(o: Opponent) -> Strategy:
    if isinstance(o, (Strategy, str, type)):
        return _strategy(o)
    if callable(o) or isinstance(o, Sequence):
        return Scripted(o)
    return _fail_type(o)


def _fail_type(o: Any):
    raise TypeError(f"{o!r} is neither a strategy (instance, class or name) nor a script (list or function)")


def _name(p: Strategy) -> str:
    return p.describe() if isinstance(p, Scripted) else p.registry_name()


def _label(game: Game, seat: int, a: Any) -> str:
    return game.actions[seat][game.action_index(seat, a)]


def _join(labels: Sequence[str]) -> str:
    return ("" if all(len(x) == 1 for x in labels) else " ").join(labels)


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(np.all(a == b)) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else bool(a == b)
    except Exception:  # noqa: BLE001 - objects that cannot be compared are not equal
        return False


def _diff(m: MatchResult, seat: int, want, got, rows, profiles: bool, noise: float, seed) -> str:
    n = min(len(want), len(got))
    first = next((t for t in range(n) if want[t] != got[t]), n)
    others = ", ".join(f"{name}" for j, name in enumerate(m.names) if j != seat)
    head = (
        f"{m.names[seat]} (seat {seat}) vs {others} in {m.game.name}, {len(want)} rounds"
        f"{f', noise {noise:g}' if noise else ''}, seed {seed}: "
    )
    if len(got) < len(want):
        head += f"the match ended after {len(got)} rounds; "
    head += f"first difference in round {first}" if first < n else "no difference in the rounds played"
    show = (lambda p: "(" + ",".join(p) + ")") if profiles else str
    lines = [head]
    if not profiles:
        w, g = _join(want), _join(got)
        if len(w) == len(want) and len(g) == len(got):  # one character per move: align them
            lines += [f"  expected  {w}", f"  got       {g}", "            " + " " * first + "^"]
    width = max([len("expected")] + [len(show(x)) for x in want])
    gwidth = max([len("got")] + [len(show(x)) for x in got])
    lines.append(f"  round  {'expected':<{width}}  {'got':<{gwidth}}  profile")
    lo, hi = max(0, first - 3), min(max(len(want), len(got)), first + 4)
    for t in range(lo, hi):
        e = show(want[t]) if t < len(want) else "-"
        g = show(got[t]) if t < len(got) else "-"
        prof = "(" + ",".join(rows[t]) + ")" if t < len(rows) else ""
        lines.append(f"  {t:5d}  {e:<{width}}  {g:<{gwidth}}  {prof}{'  <-' if t == first else ''}".rstrip())
    return "\n".join(lines)


def _first_difference(
    a: MatchResult, b: MatchResult, seats: Sequence[int] | None = None, traces: bool = True
) -> str | None:
    """Where two matches differ (actions, payoffs, traces of ``seats``), or None."""
    seats = range(a.game.n_players) if seats is None else seats
    if a.actions.shape != b.actions.shape:
        return f"{a.turns} rounds against {b.turns}"
    for j in seats:
        diff = np.flatnonzero(a.actions[:, j] != b.actions[:, j])
        if diff.size:
            t = int(diff[0])
            return (
                f"seat {j} plays {a.game.actions[j][a.actions[t, j]]!r} against "
                f"{b.game.actions[j][b.actions[t, j]]!r} in round {t}"
            )
    for j in seats:
        if a.payoffs[:, j].tobytes() != b.payoffs[:, j].tobytes():
            return f"seat {j}'s payoffs differ"
    if traces:
        for j in seats:
            ta, tb = a.traces[j], b.traces[j]
            if sorted(ta) != sorted(tb):
                return f"seat {j} exposes traces {sorted(ta)} against {sorted(tb)}"
            for key in ta:
                x, y = ta[key], tb[key]
                if (
                    type(x) is not type(y)
                    or x.dtype != y.dtype
                    or x.shape != y.shape
                    or x.tobytes() != y.tobytes()
                    or not np.array_equal(np.ma.getmaskarray(x), np.ma.getmaskarray(y))
                ):
                    return f"seat {j}'s trace {key!r} differs"
    return None
