"""The repeated game of one match, as a Mesa model whose agents are the seated players.

Each round: the engine takes the shared random number ξ_t, every seat chooses (nobody
sees another's choice of this round), noise may replace actions, the engine records the
profile, then every seat observes. All engine randomness comes from the engine's own
generator, seeded from the match's SeedSequence (Mesa gets an integer seed drawn from it);
each seat gets its own generator (see ``seeding``).

When every seat is a finite automaton (see ``strategies.automaton``), the match can be
played by the batch engine instead (:mod:`tournament.engine.batch`), with identical results.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import mesa
import numpy as np

import strategies as strategies_pkg
from strategies.base import Strategy

from .. import seeding
from ..errors import StrategyError, TournamentError
from ..game import Game
from ..view import History, MatchView, action_dtype
from . import batch
from .result import MatchResult


class MatchTimeout(BaseException):
    """Raised (by a timer signal) inside a strategy call that overran the match's time
    limit. A BaseException so that strategies' own ``except Exception`` cannot swallow it."""


def strategy_failure(exc: Exception, fail, what: str) -> StrategyError:
    """The StrategyError (from ``fail(message)``, with strategy, seat, match and round) for an
    exception raised inside the strategy hook ``what``."""
    if isinstance(exc, TournamentError):
        detail = getattr(exc, "detail", str(exc))
        return fail(detail if what == "choose" else f"{what} failed: {detail}")
    return fail(f"{what} raised {type(exc).__name__}: {exc}")


def call_strategy(call, fail, what: str):
    """Run one strategy hook, turning any failure into ``fail(message)`` (a StrategyError
    with strategy, seat, match and round). Shared by every place that drives strategies."""
    try:
        return call()
    except MatchTimeout:
        raise
    except Exception as exc:
        raise strategy_failure(exc, fail, what) from exc
    except SystemExit as exc:  # a strategy cannot end the run (it would exit silently)
        raise fail(f"{what} called sys.exit({exc.code!r})") from None


def to_action(a, n: int, index: Mapping[str, int], labels, fail) -> int:
    """A strategy's return value as an action index, or ``fail`` with the valid choices."""
    if type(a) is int and 0 <= a < n:
        return a
    if isinstance(a, (int, np.integer)) and not isinstance(a, bool) and 0 <= a < n:
        return int(a)
    if isinstance(a, str) and a in index:
        return index[a]
    raise fail(f"returned invalid action {a!r}; valid are indices 0..{n - 1} or labels {list(labels)}")


class SeatAgent(mesa.Agent):
    """A seated player: wraps one strategy instance and its read-only view (over the seat's
    own :class:`~tournament.view.History`)."""

    def __init__(self, model: MatchModel, seat: int, strategy: Strategy, label: str):
        super().__init__(model)
        self.seat = seat
        self.strategy = strategy
        self.label = label
        self.history = History(model.game, min(model.turns, 1024), model.match_id, seat=seat, limit=model.turns)
        self.view = MatchView(self.history, seat)
        self._n = model.game.n_actions[seat]
        self._index = model.game._index[seat]
        self.seconds = 0.0  # time spent in this strategy's hooks (only with a time limit)

    def _fail(self, message: str) -> StrategyError:
        return StrategyError(
            message,
            strategy=self.label,
            seat=self.seat,
            match_id=self.model.match_id,
            round=self.model.round,
        )

    def _call(self, call, what: str):
        if not self.model.timed:
            return call_strategy(call, self._fail, what)
        start = time.perf_counter()
        try:
            return call_strategy(call, self._fail, what)
        except MatchTimeout:
            raise self._fail(
                f"exceeded the match time limit of {self.model.time_limit:g} s (stopped inside {what})"
            ) from None
        finally:
            self.seconds += time.perf_counter() - start

    def begin(self, rng: np.random.Generator) -> None:
        self._call(lambda: self.strategy.begin_match(self.view, rng), "reset")

    def to_action(self, a) -> int:
        """A returned action as an index, or a StrategyError naming the valid choices."""
        return to_action(a, self._n, self._index, self.model.game.actions[self.seat], self._fail)

    def timed(self, fn):
        """``fn`` with its time added to :attr:`seconds` (used only under a time limit)."""
        perf = time.perf_counter

        def call(view):
            start = perf()
            try:
                return fn(view)
            finally:
                self.seconds += perf() - start

        return call


@functools.lru_cache(maxsize=16)
def _profile_tables(game: Game):
    """Per flat profile index: the profile tuple, its payoff tuple and its bytes in the compact
    action dtype (None for games too large to tabulate; then they are computed per round)."""
    if game.n_profiles > 1 << 16:
        return None
    dtype = action_dtype(game.n_actions)
    prof = game.profile_array
    profiles = [tuple(p) for p in prof.tolist()]
    payoffs = [tuple(v) for v in game.payoff_vectors.tolist()]
    rows = [r.tobytes() for r in prof.astype(dtype)]
    return profiles, payoffs, rows


class MatchModel(mesa.Model):
    """One match: ``turns`` rounds, or each round ends the match with ``prob_end``
    (then ``turns``, if given, caps the length). Strategies see a fixed length as
    ``view.turns`` unless ``reveal_length`` is False.

    ``step()`` plays one round (Mesa's step); ``run()`` plays the remaining rounds in one
    tight loop (the lean per-round path: no per-round Mesa scheduling, strategy hooks called
    directly, noise and payoffs from precomputed tables) and counts them in ``model.steps``.
    The engine keeps its own record of the actions; payoffs are computed from it and the
    game's table at the end, so nothing a strategy sees can change the result.
    """

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
        engine_rng, mesa_seed = seeding.engine_generator(ss)
        super().__init__(rng=mesa_seed)
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
        self.k = k
        self.match_id = match_id
        self.noise = noise
        if time_limit is not None and not time_limit > 0:
            raise TournamentError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
        self.time_limit = time_limit
        self.timed = time_limit is not None
        self.turns = seeding.match_length(engine_rng, turns, prob_end)
        self._xi_state = engine_rng.bit_generator.state
        self._draws = seeding.RoundDraws(engine_rng, self.turns, noise, game.n_actions)
        self._chunk_end = 0
        self._t = 0
        self._dtype = action_dtype(game.n_actions)
        self._record = bytearray()  # the engine's own record of the actions (never shown to strategies)
        self._tables = _profile_tables(game)
        self._strides = game.strides.tolist()
        self._n_actions = game.n_actions
        labels = list(names) if names is not None else [p.registry_name() for p in players]
        self.seats: list[SeatAgent] = [SeatAgent(self, i, strat, labels[i]) for i, strat in enumerate(players)]
        horizon = self.turns if prob_end is None and reveal_length else None
        for agent in self.seats:  # match attributes shown to strategies
            agent.history.horizon = horizon
            agent.history.noise = float(noise)
        self._started = time.perf_counter()
        with self._alarm():
            for agent in self.seats:
                agent.begin(seeding.generator(seeding.seat_seed(ss, agent.seat)))
        self.running = self.turns > 0

    @property
    def round(self) -> int:
        """Rounds played so far."""
        return self._t

    @property
    def xi(self) -> np.ndarray:
        """The shared random numbers of all rounds of the match."""
        if self._draws._whole is not None:
            return self._draws._whole[0]
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = self._xi_state
        return rng.random(self.turns)

    def _load_chunk(self, t: int) -> None:
        xi, flips, shifts = self._draws.chunk(t)
        base = t if self._draws._whole is None else 0
        self._xi_base = base
        self._xi = xi.tolist()
        self._chunk_end = base + len(self._xi)
        noisy: dict[int, list[tuple[int, int]]] = {}
        if flips is not None:
            n = self._n_actions
            for r in np.flatnonzero(flips.any(axis=1)).tolist():
                seats = [(i, int(shifts[r, i])) for i in np.flatnonzero(flips[r]).tolist() if n[i] > 1]
                if seats:
                    noisy[base + r] = seats
        self._noisy = noisy

    def step(self) -> None:
        """Play one round (nothing once the match is over)."""
        if self._t < self.turns:
            self._play(self._t + 1)

    def _play(self, stop: int) -> None:
        """Play rounds until ``stop`` rounds have been played (the per-round engine)."""
        seats = self.seats
        k = self.k
        hists = [a.history for a in seats]
        views = [a.view for a in seats]
        strats = [a.strategy for a in seats]
        chooses = [a.strategy.choose for a in seats]
        observers = [(i, a.strategy.observe) for i, a in enumerate(seats) if _overrides(a.strategy, "observe")]
        if self.timed:
            chooses = [a.timed(fn) for a, fn in zip(seats, chooses)]
            observers = [(i, seats[i].timed(fn)) for i, fn in observers]
        n_actions = self._n_actions
        strides = self._strides
        tables = self._tables
        record = self._record
        timed = self.timed
        limit = self.time_limit if self.time_limit is not None else float("inf")  # compared only when timed
        t = self._t
        seat, what = 0, None
        try:
            while t < stop:
                if t >= self._chunk_end:
                    self._load_chunk(t)
                xi = self._xi[t - self._xi_base]
                for h in hists:
                    h.xi = xi
                prof = []
                for i in range(k):
                    seat, what = i, "choose"
                    strats[i]._trace_round = t  # values exposed now belong to this round
                    a = chooses[i](views[i])
                    what = None
                    if type(a) is not int or a < 0 or a >= n_actions[i]:
                        a = seats[i].to_action(a)
                    prof.append(a)
                flips = self._noisy.get(t)
                if flips is not None:
                    for i, shift in flips:
                        prof[i] = (prof[i] + shift) % n_actions[i]
                idx = 0
                for a, s in zip(prof, strides):
                    idx += a * s
                if tables is not None:
                    profile, pay, row = tables[0][idx], tables[1][idx], tables[2][idx]
                else:
                    profile = tuple(prof)
                    pay = tuple(self.game.payoff_vectors[idx].tolist())
                    row = np.asarray(prof, dtype=self._dtype).tobytes()
                record += row
                for h in hists:
                    h.record(profile, pay, row)
                t += 1
                self._t = t
                for i, observe in observers:
                    seat, what = i, "observe"
                    strats[i]._trace_round = t - 1  # the round just played
                    observe(views[i])
                what = None
                if timed and time.perf_counter() - self._started > limit:
                    raise self._timeout_error()
        except MatchTimeout:
            if what is None:
                raise
            raise seats[seat]._fail(
                f"exceeded the match time limit of {self.time_limit:g} s (stopped inside {what})"
            ) from None
        except Exception as exc:
            if what is None:  # the engine's own checks (an invalid action) already say who
                raise
            raise strategy_failure(exc, seats[seat]._fail, what) from exc
        except SystemExit as exc:  # a strategy cannot end the run (it would exit silently)
            if what is None:
                raise
            raise seats[seat]._fail(f"{what} called sys.exit({exc.code!r})") from None
        if t >= self.turns:
            self.running = False

    @contextlib.contextmanager
    def _alarm(self):
        """With a time limit, in the main thread of a Unix process: a timer signal interrupts
        a strategy stuck inside one call. Elsewhere (Dask worker threads) the limit is
        checked between rounds only."""
        if (
            self.time_limit is None  # not timed
            or threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")
        ):
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
        return slow._fail(
            f"exceeded the match time limit of {self.time_limit:g} s ({slow.seconds:.3g} s spent in this strategy)"
        )

    def run(self) -> MatchResult:
        """Play all remaining rounds and return the result."""
        before = self._t
        with self._alarm():
            if self.running:
                self._play(self.turns)
        self.steps += self._t - before
        return self.result()

    def result(self) -> MatchResult:
        """The match so far as a :class:`MatchResult` (payoffs from the engine's own record)."""
        # a view of the engine's record (no copy: the record only grows, played rounds never change)
        actions = np.frombuffer(bytes(self._record) if self.running else self._record, dtype=self._dtype).reshape(
            -1, self.k
        )
        return MatchResult(
            game=self.game,
            names=[a.label for a in self.seats],
            actions=actions,
            payoffs=payoffs_of(self.game, actions),
            traces=[a.strategy.collect_traces() for a in self.seats],
            match_id=self.match_id,
            strategies=[a.strategy for a in self.seats],
        )


def _overrides(strategy: Strategy, hook: str) -> bool:
    """Whether ``strategy`` does something in ``hook`` (the base class's hooks do nothing)."""
    return getattr(type(strategy), hook) is not getattr(Strategy, hook) or hook in vars(strategy)


def payoffs_of(game: Game, actions: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """The payoff vectors of a (rounds, k) action array, shape (rounds, k), looked up in the
    game's table in chunks (no temporary array of the match's size besides the result)."""
    out = np.empty((len(actions), game.n_players))
    table, strides = game.payoff_vectors, game.strides
    for start in range(0, len(actions), chunk):
        block = actions[start : start + chunk]
        out[start : start + len(block)] = table[block.astype(np.int64) @ strides]
    return out


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
    engine: str = "auto",
) -> MatchResult:
    """Play one match of ``game`` between ``players`` (instances, classes or registry names).

    Give ``turns`` or ``prob_end``; ``reveal_length=False`` hides a fixed length from the
    strategies (``view.turns`` is None). The same instance seated twice is cloned so that one
    instance plays one seat. Returns a :class:`MatchResult`.

    ``engine``: ``"python"`` plays every round through the strategies' hooks (the per-round
    engine), ``"automaton"`` plays the seats' finite automata (:mod:`tournament.engine.batch`; an error
    if a seat has none), ``"auto"`` (default) the automata when every seat has one. Both give
    the same result; automata are faster and their strategy instances are not played.
    """
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
    if engine not in ("auto", "python", "automaton"):
        raise TournamentError(f"engine must be 'auto', 'python' or 'automaton', got {engine!r}")
    if engine != "python":
        result = _play_as_automata(game, seated, turns, prob_end, noise, seed, match_id, names)
        if result is not None:
            return result
        if engine == "automaton":
            lacking = [p.registry_name() for i, p in enumerate(seated) if p.automaton(game, i, turns) is None]
            raise TournamentError(f"engine='automaton': {', '.join(lacking)} declare(s) no automaton")
    model = MatchModel(
        game,
        seated,
        turns=turns,
        prob_end=prob_end,
        noise=noise,
        seed=seed,
        match_id=match_id,
        names=names,
        reveal_length=reveal_length,
    )
    return model.run()


def _play_as_automata(game, seated, turns, prob_end, noise, seed, match_id, names) -> MatchResult | None:
    """The match through the batch engine, or None if some seat has no automaton."""
    if len(seated) != game.n_players or turns is not None and (not isinstance(turns, (int, np.integer)) or turns < 0):
        return None  # let MatchModel report it
    if prob_end is not None and not (0 < prob_end <= 1) or not (0.0 <= noise <= 1.0):
        return None
    try:
        automata = [p.automaton(game, i, turns) for i, p in enumerate(seated)]
    except Exception:  # noqa: BLE001 - the per-round engine reports it with seat and round
        return None
    if any(a is None for a in automata):
        return None
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    n_turns = None if turns is None else int(turns)  # (a numpy integer is accepted above)
    (profiles,) = batch.play_automata(game, [automata], [ss], turns=n_turns, prob_end=prob_end, noise=noise)
    labels = list(names) if names is not None else [p.registry_name() for p in seated]
    result = batch.results_of(game, profiles, labels, match_id)
    result.strategies = list(seated)
    return result


def format_actions(game: Game, actions: np.ndarray, seat: int) -> str:
    """One seat's actions as a string of labels (joined without separator when all labels
    are one character, else with spaces) — handy for pinning sequences in tests."""
    labels = game.actions[seat]
    seq = [labels[a] for a in np.asarray(actions)[:, seat].tolist()]
    sep = "" if all(len(x) == 1 for x in labels) else " "
    return sep.join(seq)


def release_model(model: Any) -> None:
    """Let a finished Mesa model (a match, a Moran or random-matching run) be freed. Mesa < 3.4
    keeps every model alive in a class-level ``Agent._ids`` dict (mesa#3179): a tournament of
    10^5 matches would keep 10^5 match models, with their histories, until the process ends.
    Later Mesa versions have no such dict."""
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)
