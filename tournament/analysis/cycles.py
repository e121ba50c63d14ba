"""Stable cycles of a joint action sequence.

A log ``a_0 … a_{T-1}`` (profiles) has a stable cycle with period p and onset t0 when
``a_t = a_{t+p}`` for all ``t0 <= t < T-p``, p is the smallest such period, and the tail
``a_{t0} … a_{T-1}`` holds at least ``min_repeats`` (default 3) full periods.

Algorithm. Encode each profile as one integer and reverse the log into ``s``. The tail from
t0 has period p exactly when the prefix of ``s`` of length ``L = T - t0`` has period p, i.e.
``s[i] = s[i+p]`` for ``i < L-p``. So for a period p the longest periodic tail is
``L(p) = p + z(p)`` where ``z(p)`` is the length of the longest common prefix of ``s`` and
``s[p:]`` (the Z-function), and p qualifies iff ``z(p) >= (min_repeats-1)·p``. The answer is
the smallest qualifying p, and ``t0 = T - L(p)``.

Only candidates with ``s[p] = s[2p] = s[0]`` can qualify; they are tested in ascending
order, in batches, with numpy: each batch compares ``s[i]`` with ``s[i+p]`` over blocks of
``i`` whose size grows geometrically and drops a candidate at its first mismatch, so a
random (unsettled) log costs O(1) expected comparisons per candidate and a settled one
stops at the first batch holding the period. Then one vectorised scan computes ``z(p)``.
Total: O(T) expected, O(T·p*) in the worst case for a period p*; a 10^6-round log takes a
few milliseconds to a few tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_BATCH = 2048


@dataclass(frozen=True)
class Cycle:
    """A stable cycle: ``period``, ``onset`` (first round of the periodic tail),
    ``profiles`` (period × k action indices, starting at the onset) and ``repeats``
    (how many full periods the tail holds)."""

    period: int
    onset: int
    profiles: np.ndarray
    repeats: int

    def mean_payoff(self, payoffs_or_game) -> np.ndarray:
        """Mean payoff vector over one period: from the match's (rounds × k) payoff array
        or from a :class:`~tournament.game.Game`."""
        if hasattr(payoffs_or_game, "payoffs") and hasattr(payoffs_or_game, "n_players"):
            g = payoffs_or_game
            return np.mean([g.payoffs[tuple(p)] for p in self.profiles], axis=0)
        pay = np.asarray(payoffs_or_game, dtype=float)
        return pay[self.onset : self.onset + self.period].mean(axis=0)

    def distribution(self) -> dict[tuple[int, ...], float]:
        """Empirical distribution of the profiles over one period."""
        out: dict[tuple[int, ...], float] = {}
        for p in map(tuple, self.profiles.tolist()):
            out[p] = out.get(p, 0.0) + 1.0 / self.period
        return out


def encode_profiles(actions: np.ndarray) -> np.ndarray:
    """One integer code per row of a (rounds × k) action array (rows equal iff codes equal),
    in the narrowest signed dtype that holds every code (a long log stays small)."""
    a = np.asarray(actions)
    if a.ndim == 1:
        a = a[:, None]
    base = int(a.max(initial=0)) + 1
    k = a.shape[1]
    if base**k >= 2**62:
        _, codes = np.unique(a, axis=0, return_inverse=True)
        return np.asarray(codes).reshape(-1).astype(np.int64)
    dtype = next(d for d in (np.int8, np.int16, np.int32, np.int64) if base**k <= np.iinfo(d).max)
    # column by column, in the narrow dtype: no wide copy of the whole (rounds × k) log
    codes = a[:, 0].astype(dtype)
    for j in range(1, k):
        codes *= base
        codes += a[:, j].astype(dtype, copy=False)
    return codes


def _lcp_with_shift(s: np.ndarray, p: int) -> int:
    """Length of the longest common prefix of s and s[p:] (compared in blocks that grow
    geometrically, so a short prefix costs little and a long log needs no full-size mask)."""
    n = len(s) - p
    lo, width = 0, 1024
    while lo < n:
        hi = min(n, lo + width)
        diff = np.flatnonzero(s[lo:hi] != s[p + lo : p + hi])
        if diff.size:
            return lo + int(diff[0])
        lo, width = hi, min(width * 4, 1 << 20)
    return n


def _smallest_period(s: np.ndarray, reps: int, min_length: int = 0) -> int | None:
    """Smallest p >= 1 whose periodic prefix is at least L = max(reps·p, min_length) long:
    s[i] == s[i+p] for all i < L - p (and L <= len(s)). All candidate periods are checked
    together, on windows of positions that grow geometrically."""
    T = len(s)
    p_max = T // reps
    if p_max < 1:
        return None
    cand = np.arange(1, p_max + 1)
    if min_length:
        cand = cand[np.maximum(reps * cand, min_length) <= T]
    # necessary: s[0] == s[p] == s[2p] == ... (cheap first filter)
    keep = np.ones(len(cand), dtype=bool)
    for j in range(1, reps):
        keep &= s[j * cand] == s[0]
    cand = cand[keep]
    for start in range(0, len(cand), _BATCH):
        batch = cand[start : start + _BATCH]
        alive = batch
        lo, width = 1, 8
        need = np.maximum((reps - 1) * alive, min_length - alive)  # positions i to check per candidate
        while alive.size:
            hi = min(lo + width, int(need.max()))
            if hi <= lo:
                break
            i = np.arange(lo, hi)
            idx = i[None, :]
            valid = idx < need[:, None]
            left = s[np.minimum(idx, T - 1)]
            right = s[np.minimum(idx + alive[:, None], T - 1)]
            ok = np.all((left == right) | ~valid, axis=1)
            alive, need = alive[ok], need[ok]
            lo, width = hi, width * 4
            if alive.size and need[0] <= lo:
                return int(alive[0])  # smallest survivor fully verified
        if alive.size:
            return int(alive[0])
    return None


def find_cycle(actions: np.ndarray, min_repeats: int = 3, min_length: int = 0) -> Cycle | None:
    """The stable cycle of a (rounds × k) action log, or None if the match did not settle.

    The smallest period wins; its onset is the earliest round from which the log is
    periodic to the end. ``min_length`` additionally requires the periodic tail to span at
    least that many rounds (with noise, a few equal rounds at the end happen by chance).
    See the module docstring for the algorithm.
    """
    if min_repeats < 2:
        raise ValueError("min_repeats must be >= 2")
    acts = np.asarray(actions)
    if acts.ndim == 1:
        acts = acts[:, None]
    T = len(acts)
    if T == 0:
        return None
    s = encode_profiles(acts)[::-1]  # reversed view (no copy)
    # the smallest period that repeats min_repeats times over a tail of min_length rounds or
    # more (every smaller period fails the weaker repeat test or the length)
    p = _smallest_period(s, min_repeats, min_length)
    if p is None:
        return None
    length = p + _lcp_with_shift(s, p)
    onset = T - length
    return Cycle(period=p, onset=onset, profiles=acts[onset : onset + p].copy(), repeats=length // p)
