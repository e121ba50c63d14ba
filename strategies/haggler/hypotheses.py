"""Sharp infra-RDP hypotheses: the type, its classes, ``describe`` (seed 001, the post
"Infra-Bayesian haggling"; docs/haggler.md).

A hypothesis of player i about the others is h = (S, s₀, B, T):

- S finite states, s₀ the start state;
- B(s, a) ⊆ O, the observations h deems possible after own action a in state s
  (never empty; O = the others' joint action, see :class:`SeatGame`);
- T(s, a, o) ∈ S the next state (only meaningful for o ∈ B(s, a)).

h is *falsified* at the first round whose observation lies outside B(s, a) for the state s
that h tracks. Storage: ``allow`` (S, A, O) bool for B and ``next`` (S, A, O) int for T;
:meth:`Hypothesis.table` merges them into one int table with −1 where o ∉ B(s, a) — the
form the batched machinery (:mod:`.space`) uses.

The classes (docs/haggler.md, "Hypotheses") are built by :func:`top`, :func:`constant`, :func:`automaton`,
:func:`password` and, for user tables, :func:`from_table`; :func:`describe` renders any of
them in one line ("password DDC then loop (C,C)").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

KINDS = ("top", "constant", "automaton", "password", "custom")
"""Hypothesis classes, in the order they are laid out in a space (the index is the class code)."""

TIE_RTOL = 1e-12
"""Relative tolerance of the haggler's ties (see :attr:`SeatGame.tolerance`)."""

ANY = "*"
"""In custom tables: 'any observation' (B(s, a) = O) or, as an action key, 'every other action'."""


# ------------------------------------------------------------------ the seat's game
@dataclass(frozen=True, eq=False)
class SeatGame:
    """The game as player ``seat`` sees it: own actions A, observations O and reward r(a, o).

    O is the others' joint action, flattened in C order over the other seats in increasing
    seat order (the last other seat varies fastest). An observation's label is the other
    player's action label in a 2-player game and the comma-joined labels otherwise
    (``"C,D"``).
    """

    seat: int
    n_players: int
    actions: tuple[str, ...]
    observations: tuple[str, ...]
    reward: np.ndarray  # (A, O) own payoff
    others: tuple[int, ...]
    other_strides: tuple[int, ...]
    game_name: str = ""
    other_actions: tuple[tuple[str, ...], ...] = field(default=())

    @classmethod
    def of(cls, game, seat: int) -> SeatGame:
        k = game.n_players
        if not 0 <= seat < k:
            raise ValueError(f"seat {seat} does not exist in {game.name!r} ({k} players)")
        others = tuple(j for j in range(k) if j != seat)
        counts = [game.n_actions[j] for j in others]
        strides = tuple(int(math.prod(counts[i + 1 :])) for i in range(len(counts)))
        n_obs = int(math.prod(counts))
        other_labels = [game.actions[j] for j in others]
        grids = np.indices(counts).reshape(len(others), -1).T if others else np.zeros((1, 0), dtype=int)
        if k == 2:
            obs_labels = tuple(other_labels[0])
        else:
            obs_labels = tuple(",".join(other_labels[j][x] for j, x in enumerate(row)) for row in grids.tolist())
        n_act = game.n_actions[seat]
        reward = np.empty((n_act, n_obs))
        for a in range(n_act):
            for o, row in enumerate(grids.tolist()):
                profile = list(row)
                profile.insert(seat, a)
                reward[a, o] = game.payoffs[tuple(profile) + (seat,)]
        reward.setflags(write=False)
        return cls(
            seat,
            k,
            tuple(game.actions[seat]),
            obs_labels,
            reward,
            others,
            strides,
            game.name,
            tuple(tuple(x) for x in other_labels),
        )

    @property
    def n_actions(self) -> int:
        return len(self.actions)

    @property
    def n_obs(self) -> int:
        return len(self.observations)

    @property
    def maximin(self) -> float:
        """Pure maximin max_a min_o r(a, o): the value of ⊤."""
        return float(self.reward.min(axis=1).max())

    @property
    def value_scale(self) -> float:
        """max |r|: every value V_γ and Q-value lies in [min r, max r], so their rounding
        errors are relative to this."""
        return float(np.abs(self.reward).max())

    @property
    def tolerance(self) -> float:
        """Absolute tolerance of every "equally good" comparison of the haggler (tied actions,
        tied hypothesis values, "worth more than ⊤"): :data:`TIE_RTOL` of :attr:`value_scale`.

        Why this size: values equal in exact arithmetic come out equal to within a few
        ulps of the scale (the solver's Bellman residual is ~1e-15·scale), while genuinely
        different values differ by at least ~(1−γ)³·Δr in the bundled games (5e-7 at
        γ = 0.99, 5e-10 at γ = 0.999 in the seed PD). 1e-12·scale sits between the two for
        γ ≤ 0.999; for γ closer to 1 the smallest genuine gaps fall to the rounding level
        and no tolerance can separate them (docs/haggler.md, "Ties")."""
        return TIE_RTOL * self.value_scale

    def key(self) -> tuple:
        """Everything that determines hypothesis spaces and values (hashable). The seat number
        itself is not part of it: the seats of a symmetric game share one space."""
        return (self.n_players, self.actions, self.observations, self.reward.shape, self.reward.tobytes())

    def observation_of(self, profile: Sequence[int]) -> int:
        """Flat observation index of a full action profile (own entry ignored)."""
        return sum(int(profile[j]) * s for j, s in zip(self.others, self.other_strides))

    def observation_index(self, label: Any, where: str = "observation") -> int:
        """Index of an observation given as its label, a list of the others' labels, or an int."""
        if isinstance(label, (list, tuple)):
            label = ",".join(str(x) for x in label)
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            if 0 <= int(label) < self.n_obs:
                return int(label)
            raise ValueError(f"{where}: observation index {label} out of range 0..{self.n_obs - 1}")
        if isinstance(label, str):
            norm = label.replace(" ", "")
            if norm in self.observations:
                return self.observations.index(norm)
        raise ValueError(
            f"{where}: unknown observation {label!r}; the observations of seat {self.seat} "
            f"(the others' joint action) are {_short_list(self.observations)}"
        )

    def action_index(self, label: Any, where: str = "action") -> int:
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            if 0 <= int(label) < self.n_actions:
                return int(label)
            raise ValueError(f"{where}: action index {label} out of range 0..{self.n_actions - 1}")
        if isinstance(label, str) and label in self.actions:
            return self.actions.index(label)
        raise ValueError(f"{where}: unknown own action {label!r}; seat {self.seat}'s actions are {list(self.actions)}")

    def pair_label(self, a: int, o: int) -> str:
        """A joint (own action, observation) pair: ``(C,D)`` with 2 players, ``(2|2,1)`` otherwise."""
        sep = "," if self.n_players == 2 else "|"
        return f"({self.actions[a]}{sep}{self.observations[o]})"


def _short_list(items: Sequence[str], n: int = 12) -> str:
    items = list(items)
    return str(items) if len(items) <= n else str(items[:n])[:-1] + f", ... ({len(items)} in all)]"


# ------------------------------------------------------------------ the type
@dataclass(frozen=True, eq=False)
class Hypothesis:
    """A sharp infra-RDP over a seat's actions and observations.

    ``allow[s, a, o]``: o ∈ B(s, a); ``next[s, a, o]``: T(s, a, o). ``kind`` is one of
    :data:`KINDS`; ``info`` holds the class parameters (used by :func:`describe`):
    constant ``(o,)``, automaton ``(out, delta)``, password ``(password, loop)`` with
    loop a tuple of (a, o) pairs, custom ``(name,)``. ``bits`` optionally overrides the
    description length, ``weight`` multiplies the prior (custom hypotheses).
    """

    allow: np.ndarray
    next: np.ndarray
    start: int = 0
    kind: str = "custom"
    info: tuple = ()
    state_names: tuple[str, ...] | None = None
    bits: float | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        allow = np.asarray(self.allow, dtype=bool)
        nxt = np.asarray(self.next, dtype=np.int64)
        if allow.ndim != 3:
            raise ValueError(f"B (allow) must have shape (states, actions, observations), got {allow.shape}")
        if nxt.shape != allow.shape:
            raise ValueError(f"T (next) has shape {nxt.shape} but B (allow) has shape {allow.shape}")
        S = allow.shape[0]
        if S == 0:
            raise ValueError("a hypothesis needs at least one state")
        if not 0 <= int(self.start) < S:
            raise ValueError(f"start state {self.start} out of range 0..{S - 1}")
        empty = ~allow.any(axis=2)
        if empty.any():
            s, a = (int(x) for x in np.argwhere(empty)[0])
            raise ValueError(
                f"B({self._state(s)}, action {a}) is empty: every (state, action) must allow some observation"
            )
        bad = allow & ((nxt < 0) | (nxt >= S))
        if bad.any():
            s, a, o = (int(x) for x in np.argwhere(bad)[0])
            raise ValueError(
                f"T({self._state(s)}, action {a}, observation {o}) = {int(nxt[s, a, o])} is not a state (0..{S - 1})"
            )
        if self.kind not in KINDS:
            raise ValueError(f"unknown hypothesis kind {self.kind!r}; kinds are {list(KINDS)}")
        if self.state_names is not None and len(self.state_names) != S:
            raise ValueError(f"{len(self.state_names)} state names for {S} states")
        if not (self.weight >= 0 and math.isfinite(self.weight)):
            raise ValueError(f"weight must be a finite non-negative number, got {self.weight!r}")
        if self.bits is not None and not (self.bits >= 0 and math.isfinite(self.bits)):
            raise ValueError(f"bits must be a finite non-negative number, got {self.bits!r}")
        allow = allow.copy()
        nxt = np.where(allow, nxt, -1)
        allow.setflags(write=False)
        nxt.setflags(write=False)
        object.__setattr__(self, "allow", allow)
        object.__setattr__(self, "next", nxt)
        object.__setattr__(self, "start", int(self.start))

    def _state(self, s: int) -> str:
        names = self.state_names
        return f"state {names[s]!r}" if names else f"state {s}"

    @property
    def n_states(self) -> int:
        return self.allow.shape[0]

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.allow.shape

    def table(self) -> np.ndarray:
        """T with −1 where o ∉ B(s, a): shape (S, A, O)."""
        return self.next

    def key(self) -> tuple:
        """Hashable identity of the hypothesis (tables, start, prior modifiers)."""
        return (
            self.kind,
            self.info,
            self.allow.shape,
            self.allow.tobytes(),
            self.next.tobytes(),
            self.start,
            self.bits,
            self.weight,
            self.state_names,
        )

    def is_resettable(self) -> bool:
        """Seed 001: from every state some policy surely returns to s₀ (whatever B allows)."""
        return bool(resettable(self.next[None], np.array([self.start]))[0])

    def run(self, pairs: Sequence[tuple[int, int]]) -> tuple[list[int], int | None]:
        """Track the hypothesis along (action, observation) pairs.

        Returns (states before each round, index of the falsifying round or None).
        """
        s = self.start
        states = []
        for t, (a, o) in enumerate(pairs):
            states.append(s)
            nxt = int(self.next[s, a, o])
            if nxt < 0:
                return states, t
            s = nxt
        return states, None


def resettable(tables: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Batched resettability of hypotheses given as padded tables (H, S, A, O) with −1 = excluded.

    A state is in the attractor of s₀ if s₀ itself, or some action leads into the
    attractor under every allowed observation. Resettable iff every state is in it.
    Padding states (rows that are entirely −1) are ignored.
    """
    H, S, A, O = tables.shape
    allowed = tables >= 0
    real = allowed.any(axis=(2, 3))  # padding rows have no allowed pair
    attr = np.zeros((H, S), dtype=bool)
    attr[np.arange(H), starts] = True
    safe = np.where(allowed, tables, 0)
    for _ in range(S):
        inside = attr[np.arange(H)[:, None, None, None], safe]  # (H, S, A, O)
        good = np.any(np.all(np.where(allowed, inside, True), axis=3), axis=2) & real  # np.all/np.any: typed as arrays
        new = attr | good
        if np.array_equal(new, attr):
            break
        attr = new
    return np.all(np.where(real, attr, True), axis=1)


# ------------------------------------------------------------------ the classes
def top(sg: SeatGame) -> Hypothesis:
    """⊤: one state, every observation possible, never falsified."""
    A, O = sg.n_actions, sg.n_obs
    return Hypothesis(np.ones((1, A, O), bool), np.zeros((1, A, O), np.int64), kind="top")


def constant(sg: SeatGame, o: int) -> Hypothesis:
    """'The others always play o' (one state, B = {o})."""
    A, O = sg.n_actions, sg.n_obs
    allow = np.zeros((1, A, O), bool)
    allow[:, :, o] = True
    return Hypothesis(allow, np.zeros((1, A, O), np.int64), kind="constant", info=(int(o),))


def automaton(sg: SeatGame, out: Sequence[int], delta: Sequence[Sequence[int]]) -> Hypothesis:
    """A deterministic opponent: state q shows out[q] ∈ O and moves to delta[q][a] on own action a.

    B(q, a) = {out(q)}, T(q, a, out(q)) = delta[q][a]. Tit-for-tat on the PD is
    ``out=(C, D), delta=((0, 1), (0, 1))``; grim is ``out=(C, D), delta=((0, 1), (1, 1))``.
    """
    out = tuple(int(x) for x in out)
    delta = tuple(tuple(int(x) for x in row) for row in delta)
    q, A, O = len(out), sg.n_actions, sg.n_obs
    if len(delta) != q or any(len(row) != A for row in delta):
        raise ValueError(f"delta must be {q} rows of {A} next states")
    allow = np.zeros((q, A, O), bool)
    nxt = np.zeros((q, A, O), np.int64)
    for s in range(q):
        allow[s, :, out[s]] = True
        nxt[s, :, :] = np.array(delta[s])[:, None]
    return Hypothesis(allow, nxt, kind="automaton", info=(out, delta))


def password(sg: SeatGame, password: Sequence[int], loop: Sequence[tuple[int, int]]) -> Hypothesis:
    """h_{p,l}: a password, then a loop (seed 001, docs/haggler.md).

    States s₀…s_{n−1} (any observation; playing p_{k+1} advances, anything else returns
    to the start) then l₁…l_m (playing a^k means the observation must be o^k and moves on,
    l_m → l₁; any other action allows any observation and returns to the start). With an
    empty password the start state is l₁.
    """
    p = tuple(int(x) for x in password)
    lp = tuple((int(a), int(o)) for a, o in loop)
    if not lp:
        raise ValueError("a password hypothesis needs a loop of length >= 1")
    n, m, A, O = len(p), len(lp), sg.n_actions, sg.n_obs
    S = n + m
    allow = np.ones((S, A, O), bool)
    nxt = np.zeros((S, A, O), np.int64)  # default: back to the start (row 0)
    for k, sym in enumerate(p):
        nxt[k, sym, :] = k + 1  # k + 1 == n is l₁
    for j, (a, o) in enumerate(lp):
        s = n + j
        allow[s, a, :] = False
        allow[s, a, o] = True
        nxt[s, a, o] = n + (j + 1) % m
    names = tuple([f"s{k}" for k in range(n)] + [f"l{j + 1}" for j in range(m)])
    return Hypothesis(allow, nxt, kind="password", info=(p, lp), state_names=names)


# ------------------------------------------------------------------ custom tables
def from_table(sg: SeatGame, spec: Any, where: str = "custom") -> Hypothesis:
    """A custom hypothesis from a table (scenario TOML or a Python dict).

    Shape::

        { name = "tit for tat", start = "c",            # start: default the first state
          weight = 1.0, bits = 6,                         # optional prior modifiers
          states = { c = { C = { observe = ["C"], next = "c" },
                           D = { observe = ["C"], next = "d" } },
                     d = { C = { observe = ["D"], next = "c" },
                           "*" = { next = { D = "d" } } } } }   # B = the keys of 'next'

    Per state, one rule per own action (``"*"`` = every action not listed). A rule's
    ``observe`` lists the observations B(s, a) (labels; ``"*"`` or omitted: all), its
    ``next`` is a state name, or a table observation → state covering B(s, a).
    Errors name the offending key, e.g. ``custom[0].states.c.D.next``.
    """
    if isinstance(spec, Hypothesis):
        if spec.shape[1:] != (sg.n_actions, sg.n_obs):
            raise ValueError(
                f"{where}: hypothesis has shape {spec.shape} but seat {sg.seat} needs "
                f"(states, {sg.n_actions}, {sg.n_obs})"
            )
        return spec
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: expected a table with 'states', got {type(spec).__name__}")
    known = {"name", "start", "states", "weight", "bits"}
    for key in spec:
        if key not in known:
            raise ValueError(f"{where}.{key}: unknown key; a custom hypothesis has keys {sorted(known)}")
    name = spec.get("name", "")
    if not isinstance(name, str):
        raise ValueError(f"{where}.name: expected a string, got {name!r}")
    states = spec.get("states")
    if not isinstance(states, dict) or not states:
        raise ValueError(f"{where}.states: expected a non-empty table state name -> rules")
    names = [str(s) for s in states]
    index = {s: i for i, s in enumerate(names)}
    start = spec.get("start", names[0])
    if start not in index:
        raise ValueError(f"{where}.start: unknown state {start!r}; states are {names}")
    S, A, O = len(names), sg.n_actions, sg.n_obs
    allow = np.zeros((S, A, O), bool)
    nxt = np.full((S, A, O), -1, np.int64)
    for s, (sname, rules) in enumerate(states.items()):
        swhere = f"{where}.states.{sname}"
        if not isinstance(rules, dict):
            raise ValueError(f"{swhere}: expected a table own action -> rule")
        covered = set()
        default = None
        for akey, rule in rules.items():
            if akey == ANY:
                default = rule
                continue
            a = sg.action_index(akey, f"{swhere}.{akey}")
            covered.add(a)
            _fill_rule(sg, rule, allow, nxt, s, [a], index, f"{swhere}.{akey}")
        rest = [a for a in range(A) if a not in covered]
        if rest:
            if default is None:
                missing = [sg.actions[a] for a in rest]
                raise ValueError(f"{swhere}: no rule for own action(s) {missing}; give one per action or a '*' rule")
            _fill_rule(sg, default, allow, nxt, s, rest, index, f"{swhere}.*")
    weight = spec.get("weight", 1.0)
    bits = spec.get("bits", None)
    for key, val in (("weight", weight), ("bits", bits)):
        if val is not None and (
            isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val) or val < 0
        ):
            raise ValueError(f"{where}.{key}: expected a non-negative number, got {val!r}")
    return Hypothesis(
        allow,
        nxt,
        start=index[start],
        kind="custom",
        info=(name,),
        state_names=tuple(names),
        bits=None if bits is None else float(bits),
        weight=float(weight),
    )


def _fill_rule(sg, rule, allow, nxt, s, actions, index, where) -> None:
    if isinstance(rule, str):  # shorthand: any observation, go to this state
        rule = {"next": rule}
    if not isinstance(rule, dict):
        raise ValueError(f"{where}: expected a rule table {{ observe = [...], next = ... }} or a state name")
    for key in rule:
        if key not in ("observe", "next"):
            raise ValueError(f"{where}.{key}: unknown key; a rule has 'observe' and 'next'")
    target = rule.get("next")
    # B(s, a): 'observe' if given; else the keys of a 'next' table; else every observation
    observe = rule.get("observe", list(target) if isinstance(target, dict) else ANY)
    if observe == ANY:
        obs = list(range(sg.n_obs))
    else:
        if isinstance(observe, (str, int)):
            observe = [observe]
        if not isinstance(observe, list) or not observe:
            raise ValueError(f"{where}.observe: expected a non-empty list of observations or '*'")
        obs = [sg.observation_index(x, f"{where}.observe") for x in observe]
    if "next" not in rule:
        raise ValueError(f"{where}.next: required (a state name, or a table observation -> state)")
    names = list(index)
    if isinstance(target, dict):
        mapping = {}
        for olabel, sname in target.items():
            o = sg.observation_index(olabel, f"{where}.next")
            if sname not in index:
                raise ValueError(f"{where}.next.{olabel}: unknown state {sname!r}; states are {names}")
            mapping[o] = index[sname]
        missing = [sg.observations[o] for o in obs if o not in mapping]
        if missing:
            raise ValueError(f"{where}.next: no next state for allowed observation(s) {missing}")
        extra = [sg.observations[o] for o in mapping if o not in obs]
        if extra:
            raise ValueError(f"{where}.next: observation(s) {extra} are not in 'observe'")
    else:
        if target not in index:
            raise ValueError(f"{where}.next: unknown state {target!r}; states are {names}")
        mapping = {o: index[target] for o in obs}
    for a in actions:
        for o, t in mapping.items():
            allow[s, a, o] = True
            nxt[s, a, o] = t


# ------------------------------------------------------------------ describe
def describe(h: Hypothesis, sg: SeatGame) -> str:
    """One readable line, e.g. ``password DDC then loop (C,C)`` or ``others always play D``."""
    acts = sg.actions
    if h.kind == "top":
        return "⊤ (any behaviour of the others)"
    if h.kind == "constant":
        return f"others always play {sg.observations[h.info[0]]}"
    if h.kind == "automaton":
        out, delta = h.info
        parts = []
        for q, (o, row) in enumerate(zip(out, delta)):
            moves = " ".join(f"{acts[a]}→q{t}" for a, t in enumerate(row))
            parts.append(f"q{q} plays {sg.observations[o]} [{moves}]")
        return f"automaton ({len(out)} states): " + "; ".join(parts)
    if h.kind == "password":
        p, loop = h.info
        loop_s = "".join(sg.pair_label(a, o) for a, o in loop)
        if not p:
            return f"loop {loop_s}"
        sep = "" if all(len(acts[a]) == 1 for a in p) else " "
        return f"password {sep.join(acts[a] for a in p)} then loop {loop_s}"
    name = h.info[0] if h.info else ""
    return f"custom {name!r} ({h.n_states} states)" if name else f"custom ({h.n_states} states)"
