"""Strategies as finite automata over observed profiles, and the user ``automaton`` strategy.

An :class:`Automaton` is one seat's strategy in one game as a Moore machine: a start state,
in every state an action (or a distribution over actions), and a transition table from
(state, observed profile) to the next state, where the observed profile is the whole
action profile of the round after noise, as every seat sees it. Any number of players and
actions. A strategy that can be written this way says so by returning its automaton from
:meth:`Strategy.automaton <strategies.base.Strategy.automaton>`; then matches in which every
seat is an automaton are played by the batch engine (:mod:`tournament.engine.batch`), vectorised
across matches, with exactly the results of the per-round engine.

**The draw rule** (both engines follow it). In a state with a single action nothing is drawn.
In a state with actions ``a_0, ..., a_{m-1}`` and thresholds ``c_0 <= ... <= c_{m-2}``
(the cumulative probabilities ``p_0``, ``p_0 + p_1``, ...), the seat draws one
``u = rng.random()`` from its private generator and plays ``a_j``, ``j`` = the number of
thresholds ``<= u``. Draws happen only in such states, one per round, so the i-th draw of a
seat is the i-th number of its stream whichever engine plays the match.

**The user automaton.** ``strategy = "automaton"`` takes the table from a scenario file, in
the spirit of the Axelrod library's ``FSMPlayer``::

    [[entrants]]
    strategy = "automaton"
    name = "tft_as_table"
    [entrants.params]
    start = "nice"
    actions = { nice = "C", angry = "D" }            # or { ..., angry = { D = 0.9, C = 0.1 } }
    [entrants.params.transitions]
    nice = { "*,C" = "nice", "*,D" = "angry" }
    angry = { "*,C" = "nice", "*,D" = "angry" }

A transition key is the observed profile as comma-separated action labels, **own action
first**, then the other seats in seat order; ``*`` matches any action and a lone ``"*"`` any
profile. In each state the first key (in the order written) that matches the profile wins,
and every profile must be matched.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tournament.errors import StrategyError

from .base import Strategy
from .registry import register

if TYPE_CHECKING:  # pragma: no cover
    from tournament.game import Game
    from tournament.view import MatchView

PROBABILITY_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class Automaton:
    """A finite automaton for one seat of one game (arrays are read-only).

    - ``outputs`` (S, m): the actions a state may play (rows padded by repeating their last);
    - ``thresholds`` (S, m-1): the draw thresholds of each state (padded with +inf);
    - ``n_outcomes`` (S,): how many actions each state may play (1: deterministic);
    - ``transitions`` (S, P): next state after observing profile p (flat C-order index over
      the game's profiles, ``game.strides``);
    - ``start``: the state of round 0.
    """

    outputs: np.ndarray
    thresholds: np.ndarray
    n_outcomes: np.ndarray
    transitions: np.ndarray
    start: int = 0

    @property
    def n_states(self) -> int:
        return int(self.transitions.shape[0])

    @property
    def n_profiles(self) -> int:
        return int(self.transitions.shape[1])

    @functools.cached_property
    def stochastic(self) -> bool:
        """Whether some state is random (then the seat draws from its generator)."""
        return bool((self.n_outcomes > 1).any())

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, outputs: Sequence[Any], transitions, start: int = 0, *, n_profiles: int | None = None) -> Automaton:
        """From per-state outputs and a transition table.

        ``outputs[s]`` is an action index, or a list of ``(action, probability)`` pairs
        (in draw order), or ``("thresholds", actions, thresholds)`` to give the thresholds
        themselves. ``transitions`` is an (S, P) integer array.
        """
        trans = np.array(transitions, dtype=np.int64)
        S = len(outputs)
        if trans.ndim != 2 or trans.shape[0] != S:
            raise ValueError(f"transitions must have shape ({S}, n_profiles), got {trans.shape}")
        if n_profiles is not None and trans.shape[1] != n_profiles:
            raise ValueError(f"transitions cover {trans.shape[1]} profiles, the game has {n_profiles}")
        if S == 0:
            raise ValueError("an automaton needs at least one state")
        if trans.size and (np.min(trans) < 0 or np.max(trans) >= S):
            raise ValueError(f"transitions must name states 0..{S - 1}")
        if not 0 <= int(start) < S:
            raise ValueError(f"start state {start} is not one of 0..{S - 1}")
        rows: list[tuple[list[int], list[float]]] = []
        for s, out in enumerate(outputs):
            if isinstance(out, (int, np.integer)) and not isinstance(out, bool):
                rows.append(([int(out)], []))
            elif isinstance(out, tuple) and len(out) == 3 and out[0] == "thresholds":
                acts, thr = [int(a) for a in out[1]], [float(c) for c in out[2]]
                if len(thr) != len(acts) - 1 or any(b < a for a, b in zip(thr, thr[1:])):
                    raise ValueError(f"state {s}: thresholds must be {len(acts) - 1} non-decreasing numbers")
                rows.append((acts, thr))
            else:
                pairs = [(int(a), float(p)) for a, p in out]
                probs = np.array([p for _, p in pairs])
                if (
                    not pairs
                    or not np.all(np.isfinite(probs))
                    or (probs < 0).any()
                    or abs(probs.sum() - 1) > PROBABILITY_TOL
                ):
                    raise ValueError(
                        f"state {s}: probabilities must be non-negative and sum to 1, got {[p for _, p in pairs]}"
                    )
                cum = np.cumsum(probs)
                rows.append(([a for a, _ in pairs], cum[:-1].tolist()))
        m = max(len(a) for a, _ in rows)
        out_arr = np.array([a + [a[-1]] * (m - len(a)) for a, _ in rows], dtype=np.int64)
        thr_arr = np.array([c + [math.inf] * (m - 1 - len(c)) for _, c in rows], dtype=float).reshape(S, m - 1)
        n_out = np.array([len(a) for a, _ in rows], dtype=np.int64)
        for arr in (out_arr, thr_arr, n_out, trans):
            arr.setflags(write=False)
        return cls(out_arr, thr_arr, n_out, trans, int(start))

    # ------------------------------------------------------------------ playing (scalar)
    def action(self, state: int, rng: np.random.Generator) -> int:
        """The action of ``state``, drawing from ``rng`` by the draw rule if the state is random."""
        n = int(self.n_outcomes[state])
        if n == 1:
            return int(self.outputs[state, 0])
        j = bisect.bisect_right(self.thresholds[state, : n - 1].tolist(), rng.random())
        return int(self.outputs[state, j])

    def __repr__(self) -> str:
        kind = "stochastic" if self.stochastic else "deterministic"
        return f"Automaton({self.n_states} states, {self.n_profiles} profiles, start={self.start}, {kind})"


def fixed(action: int, game: Game) -> Automaton:
    """The one-state automaton that always plays ``action``."""
    return Automaton.build([action], np.zeros((1, game.n_profiles), dtype=np.int64))


# ---------------------------------------------------------------------- the user strategy
def _label_list(labels: Sequence[str]) -> str:
    return ", ".join(labels)


@register
class AutomatonStrategy(Strategy):
    """A finite automaton given as a table: states with actions (or action distributions) and transitions on the observed profile.

    ``actions`` maps each state to an action label (or index) or to a table of
    ``label = probability``; ``transitions`` maps each state to a table of
    ``"own,other,..." = next state`` rules (``*`` matches any action); ``start`` is the first
    state (default: the first in ``actions``); ``states`` optionally lists the states. See
    :mod:`strategies.automaton` for the rules and the draw rule of random states.
    """

    name = "automaton"

    def __init__(self, actions=None, transitions=None, start=None, states=None):
        self.actions = actions
        self.transitions = transitions
        self.start = start
        self.states = states
        self._check_table()

    def _error(self, key: str, message: str) -> StrategyError:
        return StrategyError(f"automaton table: {key}: {message}")

    def _check_table(self) -> None:
        acts, trans = self.actions, self.transitions
        if not isinstance(acts, dict) or not acts:
            raise self._error(
                "actions",
                'expected a table mapping each state name to an action, e.g. actions = { nice = "C", angry = "D" }',
            )
        names = list(acts)
        if self.states is not None:
            if not isinstance(self.states, (list, tuple)) or sorted(map(str, self.states)) != sorted(names):
                raise self._error("states", f"must list exactly the states of 'actions' ({_label_list(names)})")
            names = [str(s) for s in self.states]
        self._names = names
        for s in names:
            out = acts[s]
            if isinstance(out, dict):
                if not out:
                    raise self._error(f"actions.{s}", "an empty distribution")
                for label, p in out.items():
                    if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p) or p < 0:
                        raise self._error(f"actions.{s}.{label}", f"expected a probability, got {p!r}")
                total = float(sum(out.values()))
                if abs(total - 1) > PROBABILITY_TOL:
                    raise self._error(f"actions.{s}", f"probabilities sum to {total:g}, not 1")
            elif isinstance(out, bool) or not isinstance(out, (str, int)):
                raise self._error(
                    f"actions.{s}", f"expected an action label, index or a table of probabilities, got {out!r}"
                )
        start = names[0] if self.start is None else self.start
        if start not in acts:
            raise self._error("start", f"unknown state {start!r}; states are {_label_list(names)}")
        self._start = names.index(start)
        if not isinstance(trans, dict):
            raise self._error(
                "transitions",
                "expected a table mapping each state to its rules, e.g. "
                'transitions = { nice = { "*,D" = "angry", "*" = "nice" } }',
            )
        for s in trans:
            if s not in acts:
                raise self._error(f"transitions.{s}", f"unknown state; states are {_label_list(names)}")
        for s in names:
            rules = trans.get(s)
            if not isinstance(rules, dict) or not rules:
                raise self._error(f"transitions.{s}", "missing: every state needs its rules")
            for pattern, target in rules.items():
                if target not in acts:
                    raise self._error(
                        f'transitions.{s}."{pattern}"',
                        f"unknown next state {target!r}; states are {_label_list(names)}",
                    )

    @property
    def is_stochastic(self) -> bool:
        return any(isinstance(a, dict) and sum(1 for p in a.values() if p > 0) > 1 for a in self.actions.values())

    def automaton(self, game: Game, seat: int, horizon: int | None = None) -> Automaton:
        own = game.actions[seat]
        others = [j for j in range(game.n_players) if j != seat]

        def action_of(key: str, label) -> int:
            if isinstance(label, int) and 0 <= label < len(own):
                return label
            if isinstance(label, str) and label in own:
                return own.index(label)
            raise self._error(key, f"{label!r} is not an action of seat {seat} ({_label_list(own)})")

        outputs: list[Any] = []
        for s in self._names:
            out = self.actions[s]
            if isinstance(out, dict):
                outputs.append([(action_of(f"actions.{s}.{lab}", lab), float(p)) for lab, p in out.items()])
            else:
                outputs.append(action_of(f"actions.{s}", out))
        order = [seat] + others  # pattern positions -> seats
        prof = game.profile_array
        trans = np.full((len(self._names), game.n_profiles), -1, dtype=np.int64)
        for si, s in enumerate(self._names):
            for pattern, target in self.transitions[s].items():
                key = f'transitions.{s}."{pattern}"'
                parts = [p.strip() for p in str(pattern).split(",")]
                if parts == ["*"]:
                    parts = ["*"] * game.n_players
                if len(parts) != game.n_players:
                    raise self._error(
                        key,
                        f"a rule names {game.n_players} actions (own first, then the other "
                        f'seats in order), e.g. "{",".join(["*"] * game.n_players)}"',
                    )
                match = np.ones(game.n_profiles, dtype=bool)
                for pos, part in enumerate(parts):
                    if part == "*":
                        continue
                    j = order[pos]
                    labels = game.actions[j]
                    if part not in labels:
                        who = "own action" if pos == 0 else f"action of seat {j}"
                        raise self._error(key, f"{part!r} is not an {who} ({_label_list(labels)})")
                    match &= prof[:, j] == labels.index(part)
                fresh = match & (trans[si] < 0)
                trans[si, fresh] = self._names.index(target)
            missing = np.flatnonzero(trans[si] < 0)
            if missing.size:
                p = prof[missing[0]]
                seen = ",".join(game.actions[j][p[j]] for j in order)
                raise self._error(
                    f"transitions.{s}",
                    f'no rule matches the observed profile "{seen}" (own action first); add it or a "*" rule',
                )
        try:
            return Automaton.build(outputs, trans, self._start, n_profiles=game.n_profiles)
        except ValueError as exc:
            raise self._error("actions", str(exc)) from None

    # ------------------------------------------------------------------ per-round play
    def reset(self, view: MatchView) -> None:
        self._auto = self.automaton(view.game, view.seat)
        self._trans = self._auto.transitions.tolist()
        self._strides = view.game.strides.tolist()
        self._state = self._auto.start

    def choose(self, view: MatchView) -> int:
        return self._auto.action(self._state, self.rng)

    def observe(self, view: MatchView) -> None:
        last = view.last_actions
        assert last is not None  # observe follows a played round
        p = 0
        for a, s in zip(last, self._strides):
            p += a * s
        self._state = self._trans[self._state][p]
