"""All seeding lives here: every random draw derives from the scenario seed.

A match's randomness depends only on ``(scenario seed, stream, match id)``, never on
which worker runs it or in which order, so results are identical for any number of
workers or any backend. Inside a match, stream 0 drives the engine (shared random
number, noise, match length) and stream ``1 + seat`` is that seat's private generator.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

# Distinct top-level streams so that e.g. population dynamics never reuse match seeds.
MATCH_STREAM = 0
POPULATION_STREAM = 1
ANALYSIS_STREAM = 2


def fresh_seed() -> int:
    """A new random seed for runs that gave none (it is recorded in the outputs)."""
    return secrets.randbits(63)


def seed_sequence(seed: int | np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The SeedSequence for ``key`` below ``seed`` (equivalent to nested ``spawn``)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + tuple(key))
    return np.random.SeedSequence(int(seed), spawn_key=tuple(int(k) for k in key))


def match_seed(seed: int, match_id: int, stream: int = MATCH_STREAM) -> np.random.SeedSequence:
    """Seed sequence of one match of a tournament."""
    return seed_sequence(seed, stream, match_id)


def engine_seed(match_ss: np.random.SeedSequence) -> np.random.SeedSequence:
    """Engine stream of a match: shared random numbers, noise, match length."""
    return seed_sequence(match_ss, 0)


def seat_seed(match_ss: np.random.SeedSequence, seat: int) -> np.random.SeedSequence:
    """Private stream of one seat of a match."""
    return seed_sequence(match_ss, 1 + seat)


@dataclass(frozen=True)
class MatchKey:
    """Where a match sits in a run; its SeedSequences are built only when asked for (the batch
    engine needs the engine's stream of every match but the seats' streams only of random ones).
    ``engine()`` equals ``engine_seed(sequence())`` and ``seat(i)`` equals ``seat_seed(sequence(), i)``."""

    seed: int
    match_id: int
    stream: int = MATCH_STREAM

    def sequence(self) -> np.random.SeedSequence:
        return match_seed(self.seed, self.match_id, self.stream)

    def engine(self) -> np.random.SeedSequence:
        return seed_sequence(self.seed, self.stream, self.match_id, 0)

    def seat(self, seat: int) -> np.random.SeedSequence:
        return seed_sequence(self.seed, self.stream, self.match_id, 1 + seat)


def graph_seed(seed: int, which: int) -> int:
    """The seed of the Moran kind's random interaction (``which`` = 0) or replacement (1) graph."""
    return int(seed_sequence(seed, POPULATION_STREAM, 0, which).generate_state(1)[0])


def generator(ss: np.random.SeedSequence | int | None) -> np.random.Generator:
    """A PCG64 generator for a seed sequence (or int seed)."""
    return np.random.default_rng(ss)


# ------------------------------------------------------------------ inside a match
MESA_SEED_BOUND = int(np.iinfo(np.int32).max)
"""Mesa's integer seed of a match is drawn as ``integers(MESA_SEED_BOUND)``."""


def model_generator(ss: np.random.SeedSequence) -> tuple[np.random.Generator, int]:
    """A model's own generator for ``ss`` and the integer seed its Mesa model gets: the first
    draw, ``integers(MESA_SEED_BOUND)``, exactly the draw Mesa 3.3 to 3.5 made themselves when
    they were handed ``ss`` (so earlier results stand; see :func:`engine_generator`)."""
    rng = generator(ss)
    return rng, int(rng.integers(MESA_SEED_BOUND))


def engine_generator(match_ss: np.random.SeedSequence) -> tuple[np.random.Generator, int]:
    """The engine's own generator of a match, and the integer seed the match's Mesa model gets.

    The engine draws from PCG64 seeded by :func:`engine_seed`. Its first draw,
    ``integers(MESA_SEED_BOUND)``, is the seed of Mesa's ``model.random``/``model.rng`` (which the
    engine never uses). Versions before 0.2 handed the SeedSequence itself to Mesa, which (3.3 to
    3.5) took exactly this one draw from it; drawing it here keeps every earlier result while
    nothing Mesa-dependent decides our draws. After it come, in this order: the match length
    (``geometric(prob_end)``, only with ``prob_end``), the shared random number of every round
    (``random(length)``), then with noise the flips (``random((length, k)) < noise``) and, seat by
    seat, the replacement offsets (``integers(1, max(n_i, 2), size=length)``). See
    :class:`RoundDraws`.
    """
    return model_generator(engine_seed(match_ss))


def match_length(rng: np.random.Generator | None, turns: int | None, prob_end: float | None) -> int:
    """The number of rounds: ``turns``, or geometric with ``prob_end`` (capped by ``turns``);
    ``rng`` (the engine's generator) is drawn from only with ``prob_end``."""
    if prob_end is None:
        assert turns is not None, "a match has turns or prob_end"
        return int(turns)
    assert rng is not None, "a match with prob_end draws its length from the engine's generator"
    length = int(rng.geometric(prob_end))
    return length if turns is None else min(length, int(turns))


def _copy_at(state: Mapping[str, Any], skip: int) -> np.random.Generator:
    """A PCG64 generator at ``state`` moved ``skip`` 64-bit outputs on, keeping the buffered half
    word that ``integers`` of 32-bit ranges leave in the state (``advance`` would drop it; the
    ``random`` draws being skipped never touch it)."""
    bg = np.random.PCG64()
    bg.state = state  # type: ignore[assignment]  # a PCG64 state dict (numpy types it as a private TypedDict)
    if skip:
        bg.advance(skip)
        moved = bg.state
        moved["has_uint32"], moved["uinteger"] = state["has_uint32"], state["uinteger"]
        bg.state = moved
    return np.random.Generator(bg)


def skip_doubles(rng: np.random.Generator, n: int) -> None:
    """Move ``rng`` on as ``rng.random(n)`` would, without making the numbers (PCG64 jump-ahead;
    the half word that 32-bit ``integers`` draws leave buffered is kept, as ``random`` keeps it)."""
    bits = cast(np.random.PCG64, rng.bit_generator)  # seeding.generator makes PCG64 generators
    state = bits.state
    bits.advance(int(n))
    moved = bits.state
    moved["has_uint32"], moved["uinteger"] = state["has_uint32"], state["uinteger"]
    bits.state = moved


class RoundDraws:
    """The engine's per-round random numbers of one match, produced in chunks.

    The values are exactly those of drawing everything at once in the documented order (see
    :func:`engine_generator`), but a long match never holds more than ``chunk`` rounds of them:
    each stream is a copy of the engine's generator moved to where that stream starts (PCG64
    ``advance``). Short matches (the usual case) draw everything at once from the generator.
    ``chunk(t0)`` returns ``(xi, flips, shifts)`` for rounds ``t0 .. t0 + len(xi) - 1``: ``xi`` a
    float array, ``flips`` a bool array (rounds, k) or None without noise, ``shifts`` the
    replacement offsets (rounds, k).
    """

    CHUNK = 1 << 16

    def __init__(self, rng: np.random.Generator, length: int, noise: float, n_actions, *, chunk: int | None = None):
        self.length = int(length)
        self.noise = float(noise)
        self.n_actions = tuple(int(n) for n in n_actions)
        self.k = len(self.n_actions)
        self.chunk_size = int(chunk or self.CHUNK)
        k, n = self.k, self.length
        if n <= self.chunk_size:
            self._whole = self._draw(rng, rng, [rng] * k, n)
            return
        self._whole = None
        if not isinstance(rng.bit_generator, np.random.PCG64):  # pragma: no cover - seeding.generator is PCG64
            raise TypeError("RoundDraws needs a PCG64 generator")
        state = rng.bit_generator.state
        self._xi = _copy_at(state, 0)
        self._flip = _copy_at(state, n)
        base = _copy_at(state, n + n * k)
        # the offsets of seat i start where seat i-1's end; only seats with >= 3 actions draw any
        self._shift = []
        for nj in self.n_actions:
            self._shift.append(base)
            if nj >= 3 and self.noise > 0:
                base = np.random.Generator(np.random.PCG64())
                base.bit_generator.state = self._shift[-1].bit_generator.state
                for t in range(0, n, self.chunk_size):  # find where this seat's offsets end
                    base.integers(1, nj, size=min(self.chunk_size, n - t))

    def _draw(self, xi_rng, flip_rng, shift_rngs, size: int):
        xi = xi_rng.random(size)
        if self.noise > 0:
            flips = flip_rng.random((size, self.k)) < self.noise
            shifts = np.ones((size, self.k), dtype=np.int64)
            for i, (r, nj) in enumerate(zip(shift_rngs, self.n_actions)):
                if nj > 2:  # with one other action the offset is 1, and drawing it takes no numbers
                    shifts[:, i] = r.integers(1, nj, size=size)
        else:
            flips = shifts = None
        return xi, flips, shifts

    def chunk(self, t0: int):
        """Draws for rounds ``t0`` to the end of its chunk (chunks must be asked for in order)."""
        if self._whole is not None:
            return self._whole
        size = min(self.chunk_size, self.length - t0)
        return self._draw(self._xi, self._flip, self._shift, size)


# ------------------------------------------------------------------ many matches at once
# numpy's SeedSequence and PCG64 seeding, vectorised over many spawn keys: the batch engine seeds
# thousands of matches without building a SeedSequence and a PCG64 object for each. The tests
# check the words and states against numpy's own for many seeds and keys.
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _M32 = 0xCA01F9DD, 0x4973F715, 0xFFFFFFFF
PCG64_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
_M64, _M128 = (1 << 64) - 1, (1 << 128) - 1


def _uint32_words(n: int) -> list[int]:
    out = [] if n else [0]
    while n > 0:
        out.append(n & _M32)
        n >>= 32
    return out


def spawned_states(entropy: int, spawn_keys: npt.ArrayLike) -> list[tuple[int, int]]:
    """``PCG64(SeedSequence(entropy, spawn_key=row)).state`` (state, inc) for every row of
    ``spawn_keys`` (non-negative integers below 2**32), computed for all rows at once."""
    keys = np.asarray(spawn_keys, dtype=np.uint64)
    if keys.size and int(np.max(keys)) > _M32:
        raise ValueError("spawn key words must be below 2**32")
    n = len(keys)
    run = _uint32_words(int(entropy))
    if keys.shape[1] and len(run) < 4:  # numpy pads the run entropy when there is a spawn key
        run += [0] * (4 - len(run))
    cols = [np.full(n, w, dtype=np.uint32) for w in run] + [keys[:, j].astype(np.uint32) for j in range(keys.shape[1])]
    hc = _INIT_A

    def hashmix(v):
        nonlocal hc
        v = v ^ np.uint32(hc)
        hc = (hc * _MULT_A) & _M32
        v = v * np.uint32(hc)
        return v ^ (v >> np.uint32(16))

    def mix(x, y):
        r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return r ^ (r >> np.uint32(16))

    with np.errstate(over="ignore"):
        pool = [hashmix(cols[i] if i < len(cols) else np.zeros(n, np.uint32)) for i in range(4)]
        for src in range(4):
            for dst in range(4):
                if src != dst:
                    pool[dst] = mix(pool[dst], hashmix(pool[src]))
        for src in range(4, len(cols)):
            for dst in range(4):
                pool[dst] = mix(pool[dst], hashmix(cols[src]))
        hc, out = _INIT_B, []
        for i in range(8):  # generate_state(4, np.uint64)
            v = pool[i % 4] ^ np.uint32(hc)
            hc = (hc * _MULT_B) & _M32
            v = v * np.uint32(hc)
            out.append(v ^ (v >> np.uint32(16)))
    w = np.stack(out, axis=1).astype(np.uint64)
    words = (w[:, 0::2] | (w[:, 1::2] << np.uint64(32))).tolist()
    states = []
    for v0, v1, v2, v3 in words:  # pcg64_set_seed: state 0, step, add the seed, step
        inc = ((((v2 << 64) | v3) << 1) | 1) & _M128
        state = ((inc + ((v0 << 64) | v1)) * PCG64_MULTIPLIER + inc) & _M128
        states.append((state, inc))
    return states


def pcg64_output(state: int) -> int:
    """PCG64's 64-bit output for a state (XSL-RR), as ``random_raw`` returns after the step."""
    hi, lo = state >> 64, state & _M64
    x, rot = hi ^ lo, hi >> 58
    return ((x >> rot) | (x << ((64 - rot) & 63))) & _M64


@functools.lru_cache(maxsize=64)
def pcg64_jump(delta: int) -> tuple[int, int]:
    """(a, c) with: ``delta`` steps from state s with increment inc give a·s + c·inc (mod 2^128)."""
    acc_mult, acc_plus, mult, plus = 1, 0, PCG64_MULTIPLIER, 1
    while delta > 0:
        if delta & 1:
            acc_mult = (acc_mult * mult) & _M128
            acc_plus = (acc_plus * mult + plus) & _M128
        plus = ((mult + 1) * plus) & _M128
        mult = (mult * mult) & _M128
        delta >>= 1
    return acc_mult, acc_plus
