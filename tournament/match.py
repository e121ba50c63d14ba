"""The repeated game of one match, as a Mesa model whose agents are the seated players.

Each round (one ``MatchModel.step``): the engine draws the shared random number ξ_t,
every seat chooses (``model.agents.do("choose")``: nobody sees another's choice of
this round), noise may replace actions, payoffs are recorded, then every seat observes
(``model.agents.do("observe")``). All engine randomness comes from ``model.rng``, seeded
from the match's SeedSequence; each seat gets its own generator (see ``seeding``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

import mesa
import numpy as np

from strategies.base import Strategy

from . import seeding
from .errors import StrategyError, TournamentError
from .game import Game
from .view import History, MatchView


@dataclass
class MatchResult:
    """Everything a match produced. ``actions``/``payoffs`` have shape (rounds, k)."""

    game: Game
    names: list[str]
    actions: np.ndarray
    payoffs: np.ndarray
    traces: list[dict[str, np.ndarray]]
    match_id: int | None = None
    strategies: list[Strategy] = field(default_factory=list, repr=False)

    @property
    def turns(self) -> int:
        return int(self.actions.shape[0])

    @property
    def mean_payoffs(self) -> np.ndarray:
        """Per-seat mean payoff per round (zeros for an empty match)."""
        if self.turns == 0:
            return np.zeros(self.game.n_players)
        return self.payoffs.mean(axis=0)

    def action_labels(self) -> list[tuple[str, ...]]:
        """The actions as label tuples, one per round."""
        labels = self.game.actions
        return [tuple(labels[i][a] for i, a in enumerate(row)) for row in self.actions.tolist()]

    def __repr__(self) -> str:
        means = ", ".join(f"{m:.4g}" for m in self.mean_payoffs)
        return f"MatchResult({' vs '.join(self.names)}, turns={self.turns}, mean payoffs=({means}))"


class MatchTimeout(BaseException):
    """Raised (by a timer signal) inside a strategy call that overran the match's time
    limit. A BaseException so that strategies' own ``except Exception`` cannot swallow it."""


def call_strategy(call, fail, what: str):
    """Run one strategy hook, turning any failure into ``fail(message)`` (a StrategyError
    with strategy, seat, match and round). Shared by every place that drives strategies."""
    try:
        return call()
    except MatchTimeout:
        raise
    except TournamentError as exc:
        detail = getattr(exc, "detail", str(exc))
        raise fail(detail if what == "choose" else f"{what} failed: {detail}") from exc
    except Exception as exc:
        raise fail(f"{what} raised {type(exc).__name__}: {exc}") from exc
    except SystemExit as exc:  # a strategy cannot end the run (it would exit silently)
        raise fail(f"{what} called sys.exit({exc.code!r})") from None


def to_action(a, n: int, index: dict, labels, fail) -> int:
    """A strategy's return value as an action index, or ``fail`` with the valid choices."""
    if type(a) is int and 0 <= a < n:
        return a
    if isinstance(a, (int, np.integer)) and not isinstance(a, bool) and 0 <= a < n:
        return int(a)
    if isinstance(a, str) and a in index:
        return index[a]
    raise fail(f"returned invalid action {a!r}; valid are indices 0..{n - 1} or labels {list(labels)}")


class SeatAgent(mesa.Agent):
    """A seated player: wraps one strategy instance and its read-only view."""

    def __init__(self, model: "MatchModel", seat: int, strategy: Strategy, label: str):
        super().__init__(model)
        self.seat = seat
        self.strategy = strategy
        self.label = label
        self.view = MatchView(model.history, seat)
        self._n = model.game.n_actions[seat]
        self._index = model.game._index[seat]
        self.choice = 0
        self.seconds = 0.0  # time spent in this strategy's hooks (only with a time limit)

    def _fail(self, message: str) -> StrategyError:
        return StrategyError(
            message, strategy=self.label, seat=self.seat, match_id=self.model.match_id,
            round=self.model.history.t,
        )

    def _call(self, call, what: str):
        if not self.model.timed:
            return call_strategy(call, self._fail, what)
        start = time.perf_counter()
        try:
            return call_strategy(call, self._fail, what)
        except MatchTimeout:
            raise self._fail(f"exceeded the match time limit of {self.model.time_limit:g} s "
                             f"(stopped inside {what})") from None
        finally:
            self.seconds += time.perf_counter() - start

    def begin(self, rng: np.random.Generator) -> None:
        self._call(lambda: self.strategy.begin_match(self.view, rng), "reset")

    def choose(self) -> None:
        self.strategy._trace_round = self.model.history.t  # exposed values belong to this round
        a = self._call(lambda: self.strategy.choose(self.view), "choose")
        self.choice = to_action(a, self._n, self._index, self.model.game.actions[self.seat], self._fail)

    def observe(self) -> None:
        self.strategy._trace_round = self.model.history.t - 1  # the round just played
        self._call(lambda: self.strategy.observe(self.view), "observe")


class MatchModel(mesa.Model):
    """One match: ``turns`` rounds, or each round ends the match with ``prob_end``
    (then ``turns``, if given, caps the length). Strategies see a fixed length as
    ``view.turns`` unless ``reveal_length`` is False."""

    def __init__(
        self,
        game: Game,
        players: Sequence[Strategy],
        *,
        turns: int | None = None,
        prob_end: float | None = None,
        noise: float = 0.0,
        seed: int | np.random.SeedSequence | None = None,
        match_id: int | None = None,
        names: Sequence[str] | None = None,
        time_limit: float | None = None,
        reveal_length: bool = True,
    ) -> None:
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        super().__init__(rng=seeding.engine_seed(ss))
        k = game.n_players
        if len(players) != k:
            raise TournamentError(f"{game.name} seats {k} players, got {len(players)} strategies")
        if turns is None and prob_end is None:
            raise TournamentError("give turns or prob_end")
        if turns is not None and (not isinstance(turns, (int, np.integer)) or turns < 0):
            raise TournamentError(f"turns must be a non-negative integer, got {turns!r}")
        if prob_end is not None and not (0 < prob_end <= 1):
            raise TournamentError(f"prob_end must be in (0, 1], got {prob_end!r}")
        if not (0.0 <= noise <= 1.0):
            raise TournamentError(f"noise must be in [0, 1], got {noise!r}")
        self.game = game
        self.match_id = match_id
        self.noise = noise
        if time_limit is not None and not time_limit > 0:
            raise TournamentError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
        self.time_limit = time_limit
        self.timed = time_limit is not None
        self._deadline = None
        # Draw order is part of the reproducibility contract: length, ξ, noise.
        if prob_end is not None:
            length = int(self.rng.geometric(prob_end))
            if turns is not None:
                length = min(length, int(turns))
        else:
            length = int(turns)
        self.turns = length
        self.xi = self.rng.random(length)
        if noise > 0:
            self._flip = self.rng.random((length, k)) < noise
            self._shift = np.stack(
                [self.rng.integers(1, max(n, 2), size=length) for n in game.n_actions], axis=1
            ) if length else np.zeros((0, k), dtype=np.int64)
        else:
            self._flip = None
        self.history = History(game, length, match_id)
        self.history.horizon = length if prob_end is None and reveal_length else None
        self.history.noise = float(noise)
        self._table = game.payoff_vectors
        self._strides = game.strides.tolist()
        self._n_actions = game.n_actions
        labels = list(names) if names is not None else [p.registry_name() for p in players]
        self.seats: list[SeatAgent] = [
            SeatAgent(self, i, strat, labels[i]) for i, strat in enumerate(players)
        ]
        self._started = time.perf_counter()
        with self._alarm():
            for agent in self.seats:
                agent.begin(seeding.generator(seeding.seat_seed(ss, agent.seat)))
        self.running = length > 0

    def step(self) -> None:
        h = self.history
        t = h.t
        h.xi = float(self.xi[t])
        self.agents.do("choose")
        profile = tuple(agent.choice for agent in self.seats)
        if self._flip is not None:
            flips = self._flip[t]
            if flips.any():
                shift = self._shift[t]
                profile = tuple(
                    (a + int(shift[i])) % self._n_actions[i] if flips[i] and self._n_actions[i] > 1 else a
                    for i, a in enumerate(profile)
                )
        idx = 0
        for a, s in zip(profile, self._strides):
            idx += a * s
        h.record(profile, self._table[idx])
        self.agents.do("observe")
        if h.t >= self.turns:
            self.running = False

    @contextlib.contextmanager
    def _alarm(self):
        """With a time limit, in the main thread of a Unix process: a timer signal interrupts
        a strategy stuck inside one call. Elsewhere (Dask worker threads) the limit is
        checked between rounds only."""
        if not self.timed or threading.current_thread() is not threading.main_thread() \
                or not hasattr(signal, "setitimer"):
            yield
            return
        remaining = max(1e-3, self._started + self.time_limit - time.perf_counter())

        def on_alarm(signum, frame):
            raise MatchTimeout()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, remaining)
        try:
            yield
        except MatchTimeout:
            raise self._timeout_error() from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def _timeout_error(self) -> StrategyError:
        """The limit ran out between strategy calls: blame the seat that used most time."""
        slow = max(self.seats, key=lambda a: a.seconds)
        return slow._fail(f"exceeded the match time limit of {self.time_limit:g} s "
                          f"({slow.seconds:.3g} s spent in this strategy)")

    def run(self) -> MatchResult:
        """Play all rounds and return the result."""
        with self._alarm():
            while self.running:
                self.step()
                if self.timed and time.perf_counter() - self._started > self.time_limit:
                    raise self._timeout_error()
        actions, payoffs = self.history.trimmed()
        return MatchResult(
            game=self.game,
            names=[a.label for a in self.seats],
            actions=actions,
            payoffs=payoffs,
            traces=[a.strategy.collect_traces() for a in self.seats],
            match_id=self.match_id,
            strategies=[a.strategy for a in self.seats],
        )


def play_match(
    game: Game,
    players: Sequence[Strategy | type | str],
    *,
    turns: int | None = None,
    prob_end: float | None = None,
    noise: float = 0.0,
    seed: int | np.random.SeedSequence | None = None,
    match_id: int | None = None,
    names: Sequence[str] | None = None,
    reveal_length: bool = True,
) -> MatchResult:
    """Play one match of ``game`` between ``players`` (instances, classes or registry names).

    Give ``turns`` or ``prob_end``; ``reveal_length=False`` hides a fixed length from the
    strategies (``view.turns`` is None). The same instance seated twice is cloned so that one
    instance plays one seat. Returns a :class:`MatchResult`.
    """
    import strategies as strategies_pkg

    seated: list[Strategy] = []
    for p in players:
        if isinstance(p, str):
            p = strategies_pkg.get(p)
        elif isinstance(p, type):
            p = p()
        elif not isinstance(p, Strategy):
            raise StrategyError(f"{p!r} is not a strategies.Strategy instance, class or name")
        if any(p is q for q in seated):
            p = p.clone()
        seated.append(p)
    if turns is None and prob_end is None:
        turns = 200
    model = MatchModel(game, seated, turns=turns, prob_end=prob_end, noise=noise, seed=seed,
                       match_id=match_id, names=names, reveal_length=reveal_length)
    return model.run()


def format_actions(game: Game, actions: np.ndarray, seat: int) -> str:
    """One seat's actions as a string of labels (joined without separator when all labels
    are one character, else with spaces) — handy for pinning sequences in tests."""
    labels = game.actions[seat]
    seq = [labels[a] for a in np.asarray(actions)[:, seat].tolist()]
    sep = "" if all(len(x) == 1 for x in labels) else " "
    return sep.join(seq)
