"""The batch engine: matches in which every seat is a finite automaton, played together.

A strategy that declares an automaton (:mod:`strategies.automaton`) needs no Python call per
round: its play is a few table look-ups (state -> action, a draw for random states, noise,
profile -> next state). Here those look-ups run as array programs over many matches at once
(one numpy operation per step of the round for all matches), or, for a few long matches, as a
plain loop over precomputed lists.

**Identical to the per-round engine.** Every match keeps its own seeds and draws exactly what
:class:`~tournament.engine.match.MatchModel` draws, in the same order: the engine's generator
(:func:`~tournament.seeding.engine_generator`), the length, the per-round draws
(:class:`~tournament.seeding.RoundDraws`: the shared random numbers are skipped — automata
never look at them — then noise flips and offsets), and each random state's draw from its
seat's private generator (:func:`~tournament.seeding.seat_seed`) by the draw rule. So a
match gives the same actions and payoffs, byte for byte, whichever engine plays it; the
tests check this on every pairing of the automaton classics and on random automata and games.
A tournament's batch is seeded all at once (:func:`_prepare_many`). See docs/automata.md.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from strategies.automaton import Automaton

from .. import seeding
from ..game import Game
from ..view import action_dtype
from .result import MatchResult

VECTOR_MIN = 16
"""Batches of at least this many matches are played as array programs (fewer: plain loops)."""
MAX_CELLS = 1 << 22
"""Longest match x matches held at once by the vector engine (bounds its memory)."""


@dataclass
class _Prepared:
    """One match's draws: its length, its noise (``flips`` and ``shifts`` (rounds, k), or a
    :class:`~tournament.seeding.RoundDraws` for a match too long to draw at once; None without
    noise; ``shifts`` None when every offset is 1) and each random seat's generator."""

    length: int
    flips: np.ndarray | None
    shifts: np.ndarray | None
    draws: seeding.RoundDraws | None
    seat_rngs: list  # per seat: None, its generator, or its numbers drawn ahead (length of them)


def _prepare_many(
    game: Game, matches: Sequence[Sequence[Automaton]], seeds, turns: int | None, prob_end: float | None, noise: float
) -> list[_Prepared]:
    """Every match's draws. For the usual tournament batch (fixed length, one run's seeds, binary
    actions or no noise) without a SeedSequence or generator per match: the engine's and the
    random seats' streams are seeded for all matches at once (``seeding.spawned_states``), moved
    by PCG64's jump-ahead past the draws automata skip, and drawn from one shared generator —
    the same numbers as :func:`_prepare` gives (tested)."""
    keys = [s for s in seeds if isinstance(s, seeding.MatchKey)]
    fast = (
        prob_end is None
        and turns is not None
        and len(keys) == len(seeds)
        and len(seeds) > 1
        and len({(s.seed, s.stream) for s in keys}) == 1
        and all(0 <= s.match_id <= 0xFFFFFFFF for s in keys)
        and 0 <= keys[0].stream <= 0xFFFFFFFF
        and turns <= seeding.RoundDraws.CHUNK
        and (noise == 0 or max(game.n_actions) <= 2)
    )
    if not fast or turns is None:  # (fast implies turns is not None)
        return [_prepare(game, autos, ss, turns, prob_end, noise) for autos, ss in zip(matches, seeds)]
    k, seed, stream = game.n_players, keys[0].seed, keys[0].stream
    out = [_Prepared(turns, None, None, None, [None] * k) for _ in matches]
    bits = np.random.PCG64()
    shared = np.random.Generator(bits)
    mask = seeding._M128

    def start(state: int, inc: int, has: int = 0, half: int = 0) -> None:
        bits.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": inc},
            "has_uint32": has,
            "uinteger": half,
        }

    if noise > 0:
        a1, c1 = seeding.pcg64_jump(1)
        skip, plus = seeding.pcg64_jump(turns)
        engine = seeding.spawned_states(seed, [[stream, s.match_id, 0] for s in keys])
        flips = np.empty((len(matches), turns, k), dtype=bool)
        block = max(1, (1 << 18) // (turns * k + 1))  # matches whose numbers are drawn into one buffer
        numbers = np.empty((block, turns, k))
        rejected = []
        for j, (state, inc) in enumerate(engine):
            state = (a1 * state + c1 * inc) & mask  # the draw of Mesa's seed: one output ...
            raw = seeding.pcg64_output(state)
            if ((raw & 0xFFFFFFFF) * seeding.MESA_SEED_BOUND) & 0xFFFFFFFF < 2:  # ... unless rejected (p = 2^-31)
                rejected.append(j)
            else:
                start((skip * state + plus * inc) & mask, inc, 1, raw >> 32)  # past the shared random numbers
                shared.random(out=numbers[j % block])
            if j % block == block - 1 or j == len(matches) - 1:
                first = j - j % block
                np.less(numbers[: j - first + 1], noise, out=flips[first : j + 1])
        for j in range(len(matches)):
            out[j].flips = flips[j]
        for j in rejected:
            out[j] = _prepare(game, matches[j], seeds[j], turns, prob_end, noise)
    for seat in range(k):
        rows = [j for j, autos in enumerate(matches) if autos[seat].stochastic and out[j].seat_rngs[seat] is None]
        if not rows:
            continue
        for j, (state, inc) in zip(
            rows, seeding.spawned_states(seed, [[stream, keys[j].match_id, 1 + seat] for j in rows])
        ):
            start(state, inc)
            out[j].seat_rngs[seat] = shared.random(turns)
    return out


def _prepare(
    game: Game, automata: Sequence[Automaton], seed, turns: int | None, prob_end: float | None, noise: float
) -> _Prepared:
    engine_ss: Callable[[], np.random.SeedSequence]
    seat_ss: Callable[[int], np.random.SeedSequence]
    if isinstance(seed, seeding.MatchKey):
        engine_ss, seat_ss = seed.engine, seed.seat
    else:
        engine_ss, seat_ss = (lambda: seeding.engine_seed(seed)), (lambda i: seeding.seat_seed(seed, i))
    rng: np.random.Generator | None = None
    if noise > 0 or prob_end is not None:  # (without either the engine's stream decides nothing)
        rng, _ = seeding.model_generator(engine_ss())
    length = seeding.match_length(rng, turns, prob_end)
    flips = shifts = draws = None
    if noise > 0:
        assert rng is not None  # drawn above whenever there is noise
        if length <= seeding.RoundDraws.CHUNK and max(game.n_actions) <= 2:
            rng.random(length)  # the shared random numbers (automata do not look at them)
            flips = rng.random((length, game.n_players)) < noise  # offsets: all 1, no numbers drawn
        else:
            draws = seeding.RoundDraws(rng, length, noise, game.n_actions)
            if draws._whole is not None:
                _, flips, shifts = draws._whole
                draws = None
    rngs = [seeding.generator(seat_ss(i)) if a.stochastic else None for i, a in enumerate(automata)]
    return _Prepared(length, flips, shifts, draws, rngs)


def play_automata(
    game: Game,
    matches: Sequence[Sequence[Automaton]],
    seeds: Sequence[np.random.SeedSequence | seeding.MatchKey],
    *,
    turns: int | None,
    prob_end: float | None = None,
    noise: float = 0.0,
    vector: bool | None = None,
) -> list[np.ndarray]:
    """Play every match (one automaton per seat, its match SeedSequence or
    :class:`~tournament.seeding.MatchKey`) and return, for each, the flat index of the profile
    played in each round (``game.strides``). ``vector`` forces
    the array engine (True) or the loop engine (False); by default batches of ``VECTOR_MIN``
    matches or more use the array engine."""
    if len(matches) != len(seeds):
        raise ValueError("one seed per match")
    prepared = _prepare_many(game, matches, seeds, turns, prob_end, noise)
    out: list[np.ndarray | None] = [None] * len(matches)
    use_vector = len(matches) >= VECTOR_MIN if vector is None else vector
    short = [i for i, p in enumerate(prepared) if p.draws is None]
    if use_vector and short:
        # longest first, so that the matches still playing at round t are a prefix
        if prob_end is not None:
            short.sort(key=lambda i: -prepared[i].length)
        start = 0
        while start < len(short):
            width = max(1, MAX_CELLS // max(1, prepared[short[start]].length))
            group = short[start : start + width]
            played = _play_vector(game, [matches[i] for i in group], [prepared[i] for i in group])
            for i, prof in zip(group, played):
                out[i] = prof
            start += width
    for i, p in enumerate(prepared):
        if out[i] is None:
            out[i] = _play_loop(game, matches[i], p)
    return out  # type: ignore[return-value]


def _profile_dtype(n_profiles: int) -> np.dtype:
    """The smallest unsigned dtype that holds a flat profile index."""
    for dt in (np.uint8, np.uint16, np.uint32):
        if n_profiles <= np.iinfo(dt).max + 1:
            return np.dtype(dt)
    return np.dtype(np.int64)


# ---------------------------------------------------------------------- the loop engine
def _lists(a: Automaton):
    n_out = a.n_outcomes.tolist()
    return (
        n_out,
        a.outputs[:, 0].tolist(),
        [a.outputs[s, : n_out[s]].tolist() for s in range(a.n_states)],
        [a.thresholds[s, : n_out[s] - 1].tolist() for s in range(a.n_states)],
        a.transitions.tolist(),
    )


def _play_loop(game: Game, automata: Sequence[Automaton], prep: _Prepared) -> np.ndarray:
    k = game.n_players
    strides = game.strides.tolist()
    n_actions = game.n_actions
    tabs = [_lists(a) for a in automata]
    state = [a.start for a in automata]
    streams: list = [None] * k  # per random seat: its numbers, drawn ahead in blocks
    pos = [0] * k
    length = prep.length
    rec = np.empty(length, dtype=_profile_dtype(game.n_profiles))
    t = 0
    while t < length:
        noisy: dict = {}
        flips, shifts, base, end = prep.flips, prep.shifts, 0, length
        if prep.draws is not None:
            _, flips, shifts = prep.draws.chunk(t)
            base, end = t, t + len(flips)
        if flips is not None:
            for r in np.flatnonzero(flips.any(axis=1)).tolist():
                noisy[base + r] = [
                    (i, 1 if shifts is None else int(shifts[r, i])) for i in np.flatnonzero(flips[r]).tolist()
                ]
        for step in range(t, end):
            p = 0
            acts = []
            for i in range(k):
                n_out, out0, outs, thr, _ = tabs[i]
                s = state[i]
                if n_out[s] == 1:
                    a = out0[s]
                else:
                    if streams[i] is None or pos[i] == len(streams[i]):
                        src = prep.seat_rngs[i]
                        streams[i] = (
                            src.tolist() if isinstance(src, np.ndarray) else src.random(min(1024, length)).tolist()
                        )
                        pos[i] = 0
                    u = streams[i][pos[i]]
                    pos[i] += 1
                    a = outs[s][bisect.bisect_right(thr[s], u)]
                acts.append(a)
            flips = noisy.get(step)
            if flips is not None:
                for i, shift in flips:
                    acts[i] = (acts[i] + shift) % n_actions[i]
            for i in range(k):
                p += acts[i] * strides[i]
            rec[step] = p
            for i in range(k):
                state[i] = tabs[i][4][state[i]][p]
        t = end
    return rec


# ---------------------------------------------------------------------- the array engine
@dataclass
class _Tables:
    """Several automata in one set of tables, their states numbered one after the other."""

    out: np.ndarray  # (G, m) actions of each state's outcomes
    thr: np.ndarray  # (G, m-1) thresholds (+inf padding)
    n_out: np.ndarray  # (G,)
    delta_flat: np.ndarray  # (G * P,) next global state, indexed state * P + profile
    offsets: np.ndarray  # first global state of each automaton

    @classmethod
    def of(cls, autos: Sequence[Automaton], n_profiles: int) -> _Tables:
        offsets = np.cumsum([0] + [a.n_states for a in autos])
        m = max(a.outputs.shape[1] for a in autos)
        G = int(offsets[-1])
        out = np.zeros((G, m), dtype=np.int64)
        thr = np.full((G, max(m - 1, 1)), np.inf)
        n_out = np.zeros(G, dtype=np.int64)
        delta = np.zeros((G, n_profiles), dtype=np.int64)
        for a, off in zip(autos, offsets[:-1]):
            s = slice(off, off + a.n_states)
            out[s, : a.outputs.shape[1]] = a.outputs
            out[s, a.outputs.shape[1] :] = a.outputs[:, -1:]
            thr[s, : a.thresholds.shape[1]] = a.thresholds
            n_out[s] = a.n_outcomes
            delta[s] = a.transitions + off
        return cls(out, thr, n_out, delta.ravel(), offsets[:-1])


def _play_vector(game: Game, matches: Sequence[Sequence[Automaton]], prepared: Sequence[_Prepared]) -> list[np.ndarray]:
    M, k = len(matches), game.n_players
    P = game.n_profiles
    lengths = np.array([p.length for p in prepared], dtype=np.int64)
    T = int(np.max(lengths)) if M else 0
    # all distinct automata of the batch in one set of tables, states numbered globally
    index: dict[int, int] = {}
    autos: list[Automaton] = []
    for seats in matches:
        for auto in seats:
            if id(auto) not in index:
                index[id(auto)] = len(autos)
                autos.append(auto)
    tabs = _Tables.of(autos, P)
    out, thr, n_out, delta_flat, offsets = tabs.out, tabs.thr, tabs.n_out, tabs.delta_flat, tabs.offsets
    out0 = out[:, 0].copy()
    random_state = n_out > 1
    first = np.array([off + a.start for a, off in zip(autos, offsets)], dtype=np.int64)
    state = first[np.array([[index[id(a)] for a in seats] for seats in matches], dtype=np.int64)]
    # per random seat: its private stream, as many numbers as rounds (an upper bound on its draws)
    slot = np.full((M, k), -1, dtype=np.int64)
    streams: list[np.ndarray] = []
    if any(a.stochastic for a in autos):
        for i, prep in enumerate(prepared):
            for j, rng in enumerate(prep.seat_rngs):
                if rng is not None:
                    slot[i, j] = len(streams)
                    streams.append(rng if isinstance(rng, np.ndarray) else rng.random(prep.length))
    equal = bool((lengths == T).all())
    if equal and streams:
        U = np.stack(streams)
    else:
        U = np.zeros((len(streams), max(T, 1)))
        for row, s in enumerate(streams):
            U[row, : len(s)] = s
    used = np.zeros(len(streams), dtype=np.int64)
    noisy = any(p.flips is not None for p in prepared)
    binary = all(n == 2 for n in game.n_actions)  # then a flip is always "the other action"
    if noisy:
        if equal and all(p.flips is not None for p in prepared):  # one copy, rounds first
            flips = np.stack([p.flips for p in prepared if p.flips is not None], axis=1)  # (all of them)
        else:
            flips = np.zeros((T, M, k), dtype=bool)
            for i, prep in enumerate(prepared):
                if prep.flips is not None:
                    flips[: prep.length, i] = prep.flips
        shifts = np.ones((0 if binary else T, M, k), dtype=np.int32)  # (binary: never read)
        if not binary:
            for i, prep in enumerate(prepared):
                if prep.shifts is not None:
                    shifts[: prep.length, i] = prep.shifts
        n_act = np.array(game.n_actions, dtype=np.int64)
    strides = game.strides.tolist()
    rec = np.zeros((T, M), dtype=_profile_dtype(P))
    active = np.searchsorted(-lengths, -np.arange(T), side="left")  # matches with length > t
    any_random = bool(random_state.any())
    for t in range(T):
        n = int(active[t])
        st = state[:n]
        a = out0[st]
        if any_random:
            rnd = random_state[st]
            if rnd.any():
                rows, cols = np.nonzero(rnd)
                q = slot[rows, cols]
                u = U[q, used[q]]
                used[q] += 1
                g = st[rows, cols]
                choice = (thr[g] <= u[:, None]).sum(axis=1)
                a[rows, cols] = out[g, choice]
        if noisy:
            if binary:
                a ^= flips[t, :n]
            else:
                a = np.where(flips[t, :n], (a + shifts[t, :n]) % n_act, a)
        p = a[:, 0] * strides[0]
        for j in range(1, k):
            p += a[:, j] * strides[j]
        rec[t, :n] = p
        state[:n] = delta_flat[st * P + p[:, None]]
    rec = np.ascontiguousarray(rec.T)  # one match per row
    return [rec[i, : lengths[i]] for i in range(M)]


# ---------------------------------------------------------------------- results
@functools.lru_cache(maxsize=16)
def _compact_profiles(game: Game) -> np.ndarray:
    return game.profile_array.astype(action_dtype(game.n_actions))


def results_of(game: Game, profiles: np.ndarray, names: Sequence[str], match_id: int | None = None) -> MatchResult:
    """The :class:`MatchResult` of a match from its profile indices (as the per-round engine
    builds it: compact actions, payoffs from the game's table, no traces)."""
    actions = _compact_profiles(game)[profiles]
    payoffs = game.payoff_vectors[profiles]
    return MatchResult(
        game=game,
        names=list(names),
        actions=actions,
        payoffs=payoffs,
        traces=[{} for _ in range(game.n_players)],
        match_id=match_id,
    )


# ---------------------------------------------------------------------- populations
class AutomatonPopulation:
    """The automaton individuals of a random-matching population, as arrays.

    Each individual (a *slot*) has its automaton (by type and role), its current state and,
    when its automaton is random, its private generator (seeded by the caller exactly as the
    per-round engine seeds the individual's strategy), from which it draws by the draw rule.
    :meth:`actions` and :meth:`observe` play one stage game in every group at once.
    """

    BLOCK = 64  # numbers drawn ahead per random individual

    def __init__(self, game: Game, automata: dict[tuple[int, int], Automaton]):
        keys = list(automata)
        tabs = _Tables.of([automata[key] for key in keys], game.n_profiles)
        self.out, self.thr, self.n_out, self.delta_flat = tabs.out, tabs.thr, tabs.n_out, tabs.delta_flat
        self.start = {key: int(off + automata[key].start) for key, off in zip(keys, tabs.offsets)}
        self.random_type = {key: automata[key].stochastic for key in keys}
        self.type_of_state = np.concatenate([np.full(automata[key].n_states, key[0], dtype=np.int64) for key in keys])
        self.any_random = any(self.random_type.values())
        self.out0 = self.out[:, 0].copy()
        self.random_state = self.n_out > 1
        self.n_profiles = game.n_profiles
        self.clear()

    def clear(self) -> None:
        """Forget every individual (slots are numbered from 0 again)."""
        self.state = np.zeros(0, dtype=np.int32)
        self._seeds: list = []
        self._rngs: dict[int, np.random.Generator] = {}
        self._buf = np.zeros((0, self.BLOCK))
        self._pos = np.zeros(0, dtype=np.int64)
        self._row = np.zeros(0, dtype=np.int64)  # slot -> row of _buf (-1: no stream yet)

    def add_many(self, type_indices: np.ndarray, role: int, seeds) -> np.ndarray:
        """New individuals of the given types in their start states (``seeds(i)`` gives the
        i-th one's seed, asked for only if its automaton is random); their slots."""
        first, n = len(self._seeds), len(type_indices)
        if first + n > len(self.state):
            grow = max(first + n, 2 * len(self.state))
            self.state = np.resize(self.state, grow)
            self._row = np.concatenate([self._row, np.full(grow - len(self._row), -1, dtype=np.int64)])
        n_types = int(type_indices.max(initial=0)) + 1
        self.state[first : first + n] = np.array([self.start.get((t, role), 0) for t in range(n_types)])[type_indices]
        rnd = [self.random_type.get((t, role), False) for t in range(n_types)]
        self._seeds.extend(seeds(i) if rnd[t] else None for i, t in enumerate(type_indices.tolist()))
        return np.arange(first, first + n)

    def _draw(self, slots: np.ndarray) -> np.ndarray:
        """One number from each slot's private stream (in order of its draws)."""
        rows = self._row[slots]
        new = slots[rows < 0]
        if len(new):
            start = len(self._buf)
            self._buf = np.concatenate([self._buf, np.zeros((len(new), self.BLOCK))])
            self._pos = np.concatenate([self._pos, np.full(len(new), self.BLOCK, dtype=np.int64)])
            self._row[new] = np.arange(start, start + len(new))
            for s in new.tolist():
                self._rngs[s] = seeding.generator(self._seeds[s])
            rows = self._row[slots]
        empty = rows[self._pos[rows] >= self.BLOCK]
        if len(empty):
            inverse = {r: s for s, r in zip(slots.tolist(), rows.tolist())}
            for r in empty.tolist():
                self._buf[r] = self._rngs[inverse[r]].random(self.BLOCK)
            self._pos[empty] = 0
        u = self._buf[rows, self._pos[rows]]
        self._pos[rows] += 1
        return u

    def actions(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The actions the individuals in ``slots`` (any shape) choose now, and their states."""
        st = self.state[slots]
        a = self.out0[st]
        if self.any_random:
            rnd = self.random_state[st]
            if rnd.any():
                flat = np.flatnonzero(rnd.ravel())
                g = st.ravel()[flat]
                u = self._draw(slots.ravel()[flat])
                j = (self.thr[g] <= u[:, None]).sum(axis=1)
                a.ravel()[flat] = self.out[g, j]
        return a, st

    def observe(self, slots: np.ndarray, states: np.ndarray, profiles: np.ndarray) -> None:
        """The individuals in ``slots`` (in ``states``) move on, having observed ``profiles``."""
        self.state[slots] = self.delta_flat[states * self.n_profiles + profiles]
