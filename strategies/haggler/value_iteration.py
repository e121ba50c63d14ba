"""Robust values and optimal policies of every hypothesis at once (docs/haggler.md).

V_γ(h, s) = max_a min_{o ∈ B(s,a)} [(1−γ)·r(a, o) + γ·V_γ(h, T(s, a, o))]

is the value of a turn-based zero-sum discounted game: the agent picks a, an adversary
restricted only by h picks o ∈ B(s, a), the state moves deterministically. All rows of a
:class:`~.space.HypothesisSpace` (every state of every hypothesis) are solved together.

Two solvers of the same fixed point:

- :func:`robust_value_iteration` iterates the operator above until successive iterates
  differ by at most tol·(1−γ)/γ (so the result is within tol of V_γ). Simple, and the
  reference in tests, but it needs ~log(1/tol)/(1−γ) sweeps (≈2,300 at γ = 0.99).
- :func:`solve` (the default) is Hoffman–Karp strategy iteration: fix the agent's
  stationary policy, compute the adversary's best response exactly (policy iteration of
  the minimising deterministic MDP), improve the agent's policy greedily, repeat until no
  strict improvement. A fixed policy pair is evaluated exactly by pointer doubling along its
  deterministic successor map (log₂ of the effective horizon gathers). It converges in a
  handful of iterations; the result is then checked against the Bellman equation and
  must satisfy it within ``tol`` (:data:`TOLERANCE`, 1e-10, relative to max|r| when the
  payoffs exceed 1), else it raises.

Every solver also returns ``ties``: per row, the actions whose Q-value is within the tie
tolerance of the value (the equally good actions). The stored policy π_h(s) is the lowest of
them (``tie_break = "first"``); the agent draws among them with ``tie_break = "random"``.
:func:`prune_below_top` drops the hypotheses whose value never exceeds ⊤'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TOLERANCE = 1e-10
"""Bellman residual the values are guaranteed to meet, in units of max(1, max|r|)."""


@dataclass
class Solution:
    values: np.ndarray  # (R,) V_γ of every row
    policy: np.ndarray  # (R,) int8 optimal action (ties → lowest)
    residual: float  # max |V − max_a min_o [...]| at the end
    iterations: int  # strategy-improvement (or value-iteration) sweeps
    ties: np.ndarray  # (R, A) bool: the equally good actions of every row


def q_values(next_rows: np.ndarray, reward: np.ndarray, values: np.ndarray, gamma: float) -> np.ndarray:
    """Q(s, a) = min_{o ∈ B(s,a)} [(1−γ) r(a,o) + γ V(T(s,a,o))] for every row: shape (A, R)."""
    return np.stack([_q_action(next_rows, reward, gamma, values, a) for a in range(reward.shape[0])])


def greedy_policy(q: np.ndarray, tie_tol: float) -> np.ndarray:
    """Lowest action whose Q is within ``tie_tol`` of the row's best."""
    return np.argmax(tied_actions(q, tie_tol), axis=1).astype(np.int8)


def tied_actions(q: np.ndarray, tie_tol: float) -> np.ndarray:
    """(R, A) bool: the actions whose Q (shape (A, R)) is within ``tie_tol`` of the row's best."""
    return (q >= q.max(axis=0) - tie_tol).T


def robust_value_iteration(
    next_rows: np.ndarray,
    reward: np.ndarray,
    gamma: float,
    *,
    tol: float = TOLERANCE,
    tie_tol: float = 1e-9,
    max_sweeps: int = 10_000_000,
) -> Solution:
    """Plain robust value iteration from V = ⊤'s value, stopped when a sweep changes V by at
    most tol·(1−γ)/γ (then ‖V − V_γ‖ ≤ tol)."""
    _check_gamma(gamma)
    R = next_rows.shape[1]
    values = np.full(R, float(reward.min(axis=1).max()))
    stop = tol * (1 - gamma) / gamma
    for sweep in range(1, max_sweeps + 1):  # noqa: B007 - the number of sweeps done is returned below
        q = q_values(next_rows, reward, values, gamma)
        new = q.max(axis=0)
        delta = float(np.max(np.abs(new - values))) if R else 0.0
        values = new
        if delta <= stop:
            break
    q = q_values(next_rows, reward, values, gamma)
    residual = float(np.max(np.abs(q.max(axis=0) - values))) if R else 0.0
    ties = tied_actions(q, tie_tol)
    return Solution(values, np.argmax(ties, axis=1).astype(np.int8), residual, sweep, ties)


def doubling_steps(gamma: float, eps: float = 1e-18) -> int:
    """Doublings K such that γ^(2^K) ≤ eps: the discounted tail after 2^K rounds is negligible."""
    return max(1, math.ceil(math.log2(math.log(eps) / math.log(gamma))))


def evaluate(successor: np.ndarray, reward: np.ndarray, gamma: float) -> np.ndarray:
    """Exact (to ≤ 1e-18·max|r|) discounted value of a deterministic chain.

    V(s) = Σ_t (1−γ)γ^t r(s_t) with s_{t+1} = successor(s_t). Pointer doubling: after k
    steps ``acc`` sums the first 2^k rewards and ``jump`` is the 2^k-th successor.
    ``reward`` is consumed (scaled in place).
    """
    acc = reward
    acc *= 1 - gamma
    jump = successor
    disc = gamma
    for _ in range(doubling_steps(gamma)):
        tail = acc.take(jump)
        tail *= disc
        acc += tail
        del tail
        jump = jump.take(jump)
        disc *= disc
    return acc


CHUNK = 1 << 20
"""Rows processed per slice in the row-wise steps (bounds temporary memory)."""


def _slices(R: int):
    for lo in range(0, R, CHUNK):
        yield slice(lo, min(R, lo + CHUNK))


def _gather(next_rows: np.ndarray, col: np.ndarray) -> np.ndarray:
    """next_rows[col[r], r] for every row r, column by column (no R-sized index arrays)."""
    out = np.empty(next_rows.shape[1], dtype=next_rows.dtype)
    for c in range(next_rows.shape[0]):
        at = col == c
        out[at] = next_rows[c][at]
    return out


def solve(
    next_rows: np.ndarray,
    reward: np.ndarray,
    gamma: float,
    *,
    tol: float = TOLERANCE,
    tie_tol: float = 1e-9,
    initial_policy: np.ndarray | None = None,
    max_iterations: int = 10_000,
) -> Solution:
    """V_γ and π for every row by Hoffman–Karp strategy iteration (see the module docstring).

    ``initial_policy`` (−1 = no guess) only speeds convergence, e.g. "follow the password
    and the loop" for password hypotheses; the result does not depend on it.
    """
    _check_gamma(gamma)
    A, O = reward.shape
    R = next_rows.shape[1]
    if R == 0:
        return Solution(np.zeros(0), np.zeros(0, np.int8), 0.0, 0, np.zeros((0, A), bool))
    scale = max(1.0, float(reward.max() - reward.min()))
    eps = 1e-12 * scale  # strict-improvement threshold: guarantees termination despite rounding
    values = np.full(R, float(reward.min(axis=1).max()))  # ⊤'s value: a lower bound everywhere
    _, policy, _ = _improve(next_rows, reward, gamma, values, None, eps)
    if initial_policy is not None:
        policy = np.where(initial_policy >= 0, initial_policy, policy).astype(np.int8)
    sigma = None
    iterations = 0
    while True:
        iterations += 1
        if iterations > max_iterations:
            raise RuntimeError(f"strategy iteration did not converge in {max_iterations} iterations")
        values, sigma = _best_response(next_rows, reward, gamma, policy, sigma, values, eps)
        best, best_a, improve = _improve(next_rows, reward, gamma, values, policy, eps)
        if not improve.any():
            break
        policy[improve] = best_a[improve]
        del improve, best, best_a
    residual = float(np.max(np.abs(best - values)))
    bound = tol * max(1.0, float(np.abs(reward).max()))  # rounding grows with the payoffs' size
    if residual > bound:
        raise RuntimeError(f"strategy iteration ended with Bellman residual {residual:.3g} > {bound:g}")
    del values
    # the equally good actions (Q within tie_tol of V); π: the lowest of them
    final = np.full(R, -1, dtype=np.int8)
    ties = np.zeros((R, A), dtype=bool)
    for sl in _slices(R):
        fin, b = final[sl], best[sl]
        for a in range(A):
            qa = _q_action(next_rows[:, sl], reward, gamma, best, a)
            tied = qa >= b - tie_tol
            ties[sl, a] = tied
            fin[(fin < 0) & tied] = a
    return Solution(best, final, residual, iterations, ties)


def _q_action(next_rows, reward, gamma, values, a) -> np.ndarray:
    """Q(·, a) = min_{o ∈ B(·,a)} [(1−γ) r(a,o) + γ V(T(·,a,o))] for the rows of ``next_rows``
    (a column slice of the table; ``values`` is indexed by global row)."""
    O = reward.shape[1]
    acc: np.ndarray | None = None
    for o in range(O):
        nx = next_rows[a * O + o]
        cand = values.take(nx)  # nx = −1 reads the last row: masked just below
        cand *= gamma
        cand += (1 - gamma) * reward[a, o]
        cand[nx < 0] = np.inf
        acc = cand if acc is None else np.minimum(acc, cand, out=acc)
    assert acc is not None  # every action has at least one observation
    return acc


def _improve(next_rows, reward, gamma, values, policy, eps):
    """Per row: the best Q over actions, the lowest maximising action, and whether it beats
    Q at ``policy`` by more than ``eps`` (None when no policy is given)."""
    A = reward.shape[0]
    R = next_rows.shape[1]
    best = np.empty(R)
    best_a = np.zeros(R, np.int8)
    improve = None if policy is None else np.zeros(R, bool)
    for sl in _slices(R):
        nr = next_rows[:, sl]
        b, ba = best[sl], best_a[sl]
        cur = None
        for a in range(A):
            qa = _q_action(nr, reward, gamma, values, a)
            if a == 0:
                b[:] = qa
            else:
                up = qa > b
                b[up] = qa[up]
                ba[up] = a
            if policy is not None:
                if cur is None:
                    cur = qa
                else:
                    at = policy[sl] == a
                    cur[at] = qa[at]
        if improve is not None:
            assert cur is not None  # set at a = 0 whenever a policy is given
            improve[sl] = b > cur + eps
    return best, best_a, improve


def _best_response(next_rows, reward, gamma, policy, sigma, values, eps):
    """The adversary's optimal stationary reply to a fixed agent policy, and its exact value."""
    A, O = reward.shape
    R = next_rows.shape[1]
    scaled = (1 - gamma) * reward

    def obs_scan(w: np.ndarray, sig):
        """Per row: the minimising allowed observation, and whether it beats ``sig`` by > eps."""
        best_o = np.zeros(R, np.int8)
        better = None if sig is None else np.zeros(R, bool)
        for sl in _slices(R):
            nr, pol = next_rows[:, sl], policy[sl]
            base = pol.astype(np.int16) * O
            best = cur = None
            bo = best_o[sl]
            for o in range(O):
                nx = _gather(nr, base + o)
                v = w.take(nx)
                v *= gamma
                v += scaled[:, o].take(pol)
                v[nx < 0] = np.inf
                if best is None:
                    best = v.copy()
                else:
                    lo = v < best
                    best[lo] = v[lo]
                    bo[lo] = o
                if sig is not None:
                    if cur is None:
                        cur = v
                    else:
                        at = sig[sl] == o
                        cur[at] = v[at]
            if better is not None:
                assert best is not None and cur is not None  # set at o = 0 whenever sig is given
                better[sl] = best < cur - eps
        return best_o, better

    if sigma is None:
        sigma, _ = obs_scan(values, None)
    else:  # keep the previous reply where it is still allowed, else the greedy one
        greedy_o, _ = obs_scan(values, None)
        still = _gather(next_rows, policy.astype(np.int16) * O + sigma) >= 0
        sigma = np.where(still, sigma, greedy_o).astype(np.int8)
        del greedy_o, still
    while True:
        col = policy.astype(np.int16) * O + sigma
        succ = _gather(next_rows, col)
        w = evaluate(succ, reward.reshape(-1).take(col), gamma)
        del succ, col
        best_o, better = obs_scan(w, sigma)
        if not better.any():
            return w, sigma
        sigma[better] = best_o[better]


def worth_more_than_top(space, values: np.ndarray, top_value: float, tol: float) -> np.ndarray:
    """(H,) bool: hypotheses worth more than ⊤ (+ tol) in some state, and ⊤ itself."""
    keep = space.hypothesis_max(values) > top_value + tol
    keep[0] = True
    return keep


def prune_below_top(space, values: np.ndarray, policy: np.ndarray, top_value: float, tol: float):
    """Drop hypotheses whose value is at most ⊤'s (+ tol) in every state: the algorithm could
    only choose them in a tie with ⊤. ⊤ itself (hypothesis 0) stays. Returns the smaller
    space with its values and policy (the inputs when nothing is dropped)."""
    keep = worth_more_than_top(space, values, top_value, tol)
    if keep.all():
        return space, values, policy
    smaller, row_keep = space.subset(keep)
    return smaller, values[row_keep], policy[row_keep]


def _check_gamma(gamma: float) -> None:
    if not (0.0 < gamma < 1.0):
        raise ValueError(f"gamma must be in (0, 1), got {gamma!r}")
