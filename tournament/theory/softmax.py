"""Exact theory of the softmax switchers (docs/switcher.md) of "Reducing collective rationality
to individual optimization in common-payoff games using MCMC".

When every seat of a match holds a ``softmax_switcher``, the action profile a_t is a Markov
chain on the n = Π_i n_i pure profiles ("Analyzing the process as a Markov chain" in seed 000).
From profile a, seat i is selected with probability 1/k (ξ_t is uniform) and re-draws
uniformly among its n_i actions with probability s_i(a) = exp(α_i·(u_min,i − r_i(a))):

    P(a → a') = Σ_i (1/k)·s_i(a)/n_i          if a' ≠ a differs from a in seat i only,
    P(a → a)  = Σ_i (1/k)·(1 − s_i(a) + s_i(a)/n_i),      0 otherwise.

Seed 000, Lemma 1: in a common-payoff game U with one α for every seat the chain is ergodic
(every profile may stay; any seat may move anywhere) and satisfies detailed balance with
respect to π(a) ∝ exp(α·U(a)) — for a, a' differing in seat i only,
π(a)·P(a→a') = e^{αU(a)}·e^{α(u_min − U(a))}/(Z·k·n_i) = e^{α·u_min}/(Z·k·n_i) = π(a')·P(a'→a)
— so the softmax is its unique stationary distribution. For other games (own payoffs r_i,
or different α per seat) the chain is still ergodic but in general not reversible; its
stationary distribution is computed exactly here from the transition matrix.

With engine noise q (each played action replaced by a uniformly random other one with
probability q), the observed profile is a Markov chain too, with transition matrix P·N,
N = ⊗_i ((1 − q)·I + q/(n_i − 1)·(J − I)) — because the switcher keeps the action recorded
in the history (see :class:`strategies.softmax_switcher.SoftmaxSwitcher`).

Profiles are numbered in C order, as :attr:`tournament.game.Game.profile_array`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import GameError
from ..game import Game

# Chains with at most this many states are solved densely (GTH elimination, fundamental
# matrix); larger ones by sparse LU.
DENSE_LIMIT = 2048


# ------------------------------------------------------------------ parameters
def _per_seat(value: float | Sequence[float], k: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(k, float(arr))
    if arr.shape != (k,):
        raise ValueError(f"{name}: expected one number or one per seat ({k}), got {value!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: values must be finite, got {value!r}")
    return arr


def switch_floors(game: Game, u_min: float | Sequence[float] | None = None) -> np.ndarray:
    """Each seat's u_min: the given value(s), or by default its lowest own payoff."""
    lowest = game.payoff_vectors.min(axis=0)
    if u_min is None:
        return lowest.astype(float)
    floors = _per_seat(u_min, game.n_players, "u_min")
    bad = np.flatnonzero(floors > lowest + game.tolerance)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"u_min: {floors[i]:g} for seat {i} is above its lowest payoff {lowest[i]:g} in "
            f"{game.name!r}; it must be a lower bound"
        )
    return floors


def switch_probabilities(
    game: Game, alpha: float | Sequence[float], u_min: float | Sequence[float] | None = None
) -> np.ndarray:
    """s[a, i] = exp(α_i·(u_min,i − r_i(a))): seat i's re-draw probability at profile a
    when selected. Shape (n_profiles, k)."""
    alphas = _per_seat(alpha, game.n_players, "alpha")
    if np.any(alphas < 0):
        raise ValueError(f"alpha: must be >= 0, got {alpha!r}")
    return np.exp(alphas * (switch_floors(game, u_min) - game.payoff_vectors))


# ------------------------------------------------------------------ the chain
def noise_matrix(game: Game, noise: float) -> sp.csr_array:
    """The engine's noise kernel on profiles: every seat with more than one action is
    independently replaced by a uniformly random other action with probability ``noise``."""
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise!r}")
    out = sp.csr_array(np.ones((1, 1)))
    for n in game.n_actions:
        if n == 1:
            block = np.ones((1, 1))
        else:
            block = np.full((n, n), noise / (n - 1))
            np.fill_diagonal(block, 1.0 - noise)
        out = sp.kron(out, sp.csr_array(block), format="csr")
    return sp.csr_array(out)


def transition_matrix(
    game: Game, alpha: float | Sequence[float], u_min: float | Sequence[float] | None = None, noise: float = 0.0
) -> sp.csr_array:
    """Exact transition matrix of the profile chain when every seat is a softmax switcher
    (``alpha``, ``u_min``: one value or one per seat), as a sparse (n_profiles, n_profiles)
    array; row a is the distribution of a_{t+1} given a_t = a. ``noise`` as the engine's."""
    s = switch_probabilities(game, alpha, u_min)
    n, k = s.shape
    prof = game.profile_array
    strides = game.strides
    idx = np.arange(n)
    rows, cols, vals = [idx], [idx], [(1.0 - s).sum(axis=1) / k]
    for i, n_i in enumerate(game.n_actions):
        base = idx - prof[:, i] * strides[i]
        for b in range(n_i):
            rows.append(idx)
            cols.append(base + b * strides[i])
            vals.append(s[:, i] / (k * n_i))
    # duplicate (row, col) entries (the re-draw of the same action) are summed
    P = sp.coo_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()
    if noise > 0:
        P = sp.csr_array(P @ noise_matrix(game, noise))
    return P


def _check_stochastic(P) -> None:
    if P.shape[0] != P.shape[1]:
        raise ValueError(f"transition matrix must be square, got shape {P.shape}")
    rows = np.asarray(P.sum(axis=1)).ravel()
    if not np.allclose(rows, 1.0, atol=1e-9):
        raise ValueError(
            f"transition matrix rows must sum to 1 (worst row sums to {rows[np.argmax(abs(rows - 1))]:.12g})"
        )


def _gth(P: np.ndarray) -> np.ndarray:
    """Stationary distribution of an irreducible stochastic matrix by Grassmann–Taksar–Heyman
    elimination (1985): subtraction-free, so accurate even when transition probabilities
    span many orders of magnitude (large α). Same algorithm as quantecon's ``gth_solve``."""
    A = np.array(P, dtype=float)
    n = A.shape[0]
    for k in range(n - 1):
        scale = A[k, k + 1 :].sum()
        if scale <= 0:
            raise ValueError(
                f"the chain is reducible (state {k} cannot reach the states after it); with the "
                f"switchers this happens when exp(alpha*(u_min - payoff)) underflows to 0 — use a smaller "
                f"alpha, or softmax_distribution for a common-payoff game"
            )
        A[k + 1 :, k] /= scale
        A[k + 1 :, k + 1 :] += np.outer(A[k + 1 :, k], A[k, k + 1 :])
    x = np.zeros(n)
    x[-1] = 1.0
    for k in range(n - 2, -1, -1):
        x[k] = x[k + 1 :] @ A[k + 1 :, k]
    return x / x.sum()


def stationary_distribution(P) -> np.ndarray:
    """The unique stationary distribution π = πP of an irreducible chain (dense or sparse P)."""
    _check_stochastic(P)
    n = P.shape[0]
    if n <= DENSE_LIMIT:
        return _gth(P.toarray() if sp.issparse(P) else np.asarray(P))
    from scipy.sparse.linalg import spsolve

    # π(P − I) = 0 with Σπ = 1: replace the first equation by the normalisation
    A = (sp.csr_array(P).T - sp.eye_array(n)).tolil()
    A[0, :] = 1.0
    b = np.zeros(n)
    b[0] = 1.0
    pi = np.clip(spsolve(A.tocsc(), b), 0.0, None)
    return pi / pi.sum()


def _start(n: int, start) -> np.ndarray:
    if start is None:
        return np.full(n, 1.0 / n)
    mu = np.asarray(start, dtype=float)
    if mu.shape != (n,) or np.any(mu < 0) or not math.isclose(mu.sum(), 1.0, abs_tol=1e-9):
        raise ValueError(f"start must be a probability vector over the {n} profiles")
    return mu


def _transposed(P):
    """P^T as the cheapest operator for repeated mat-vec products."""
    PT = sp.csr_array(P).T
    return PT.toarray() if PT.shape[0] <= 256 else PT.tocsr()


def distribution_path(P, horizon: int, start=None) -> np.ndarray:
    """μ_t = μ_0·P^t for t = 0..horizon−1, shape (horizon, n): the distribution of the
    profile in round t, from ``start`` (default: uniform, the switchers' round 0)."""
    mu = _start(P.shape[0], start)
    out = np.empty((horizon, mu.size))
    PT = _transposed(P)
    for t in range(horizon):
        out[t] = mu
        nxt = PT @ mu
        if np.abs(nxt - mu).sum() < 1e-15:  # converged
            out[t + 1 :] = nxt
            break
        mu = nxt
    return out


def target_probabilities(P, targets, horizon: int, start=None) -> np.ndarray:
    """P(a_t ∈ targets) for t = 0..horizon−1 (flat profile indices), from ``start`` (default
    uniform) — :func:`distribution_path` summed over the targets, without storing the path."""
    mask = _target_mask(P.shape[0], targets)
    mu = _start(P.shape[0], start)
    out = np.empty(horizon)
    PT = _transposed(P)
    for t in range(horizon):
        out[t] = mu[mask].sum()
        nxt = PT @ mu
        if np.abs(nxt - mu).sum() < 1e-15:  # converged
            out[t + 1 :] = nxt[mask].sum()
            break
        mu = nxt
    return out


def expected_occupation(P, horizon: int, start=None) -> np.ndarray:
    """Expected share of the first ``horizon`` rounds spent in each profile,
    (1/T)·Σ_{t<T} μ_0 P^t, from ``start`` (default: uniform, the switchers' round 0)."""
    mu = _start(P.shape[0], start)
    total = np.zeros_like(mu)
    PT = _transposed(P)
    for t in range(horizon):
        total += mu
        nxt = PT @ mu
        if np.abs(nxt - mu).sum() < 1e-15:  # converged: the remaining rounds add mu each
            total += (horizon - t - 1) * nxt
            break
        mu = nxt
    return total / max(horizon, 1)


def _target_mask(n: int, targets) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[np.asarray(targets, dtype=np.int64)] = True
    if not mask.any():
        raise ValueError("targets: give at least one profile")
    return mask


def hitting_time(P, targets, start=None) -> float:
    """Expected number of rounds until the chain first visits ``targets`` (flat profile
    indices): E[min{t ≥ 0 : a_t ∈ targets}] from ``start`` (default uniform). Solves
    (I − Q)·h = 1 on the other states (Q: P restricted to them)."""
    from scipy.sparse.linalg import spsolve

    P = sp.csr_array(P)
    n = P.shape[0]
    mask = _target_mask(n, targets)
    mu = _start(n, start)
    rest = np.flatnonzero(~mask)
    if rest.size == 0:
        return 0.0
    # States that cannot reach the targets (switching probabilities that underflow to 0 at
    # large α make some profiles absorbing) have an infinite hitting time.
    from scipy.sparse.csgraph import breadth_first_order

    reverse = sp.csr_array((P.T > 0).astype(np.int8))
    can_reach = np.zeros(n, dtype=bool)
    for t in np.flatnonzero(mask):
        if not can_reach[t]:
            can_reach[breadth_first_order(reverse, int(t), return_predecessors=False)] = True
    if np.any(mu[~can_reach] > 0):
        return math.inf
    rest = rest[can_reach[rest]]
    Q = P[rest][:, rest]
    h = spsolve(sp.csc_array(sp.eye_array(rest.size) - Q), np.ones(rest.size))
    value = float(mu[rest] @ np.atleast_1d(h))
    return value if np.isfinite(value) and value >= 0 else math.inf


def hitting_time_cdf(P, targets, horizon: int, start=None) -> np.ndarray:
    """F[t] = P(the chain has visited ``targets`` by round t), t = 0..horizon−1.
    E[min(τ, T)] = Σ_{t<T} (1 − F[t])."""
    n = P.shape[0]
    mask = _target_mask(n, targets)
    nu = _start(n, start) * ~mask  # mass that has not hit yet
    QT = _transposed(sp.csr_array(P).multiply(~mask[None, :]))  # moves into targets are absorbed
    out = np.ones(horizon)
    for t in range(horizon):
        out[t] = 1.0 - nu.sum()
        if nu.sum() < 1e-16:
            break
        nu = QT @ nu
    return np.clip(out, 0.0, 1.0)


# ------------------------------------------------------------------ statistics of a run
def occupation(game: Game, actions: np.ndarray, burn_in: int = 0) -> np.ndarray:
    """Empirical share of rounds (after ``burn_in``) spent in each profile (C order)."""
    acts = np.asarray(actions, dtype=np.int64)[burn_in:]
    if len(acts) == 0:
        return np.zeros(game.n_profiles)
    return np.bincount(acts @ game.strides, minlength=game.n_profiles) / len(acts)


def _dense(P) -> np.ndarray:
    n = P.shape[0]
    if n > DENSE_LIMIT:
        raise ValueError(f"{n} states: too many for the dense computation (limit {DENSE_LIMIT})")
    return P.toarray() if sp.issparse(P) else np.asarray(P, dtype=float)


def occupation_std(P, pi: np.ndarray | None = None) -> np.ndarray:
    """σ_a such that the share of T rounds spent in profile a has standard deviation
    ≈ σ_a/√T for large T (central limit theorem for Markov chains).

    Kemeny & Snell (1960, Thm 4.6.2), with the fundamental matrix Z = (I − P + 1π)^{-1}:
    σ_a² = π_a·(2·Z_aa − 1 − π_a). It exceeds the i.i.d. value π_a(1 − π_a) by the factor
    (the integrated autocorrelation time) that makes sticky chains (large α) slow to average.
    """
    Pd = _dense(P)
    if pi is None:
        pi = stationary_distribution(Pd)
    n = len(pi)
    Z = np.linalg.inv(np.eye(n) - Pd + np.outer(np.ones(n), pi))
    return np.sqrt(np.clip(pi * (2 * np.diag(Z) - 1 - pi), 0.0, None))


def relaxation_time(P) -> float:
    """1/(1 − λ*), λ* the second-largest eigenvalue modulus of P: the time scale (in rounds)
    on which the chain forgets its start; the distance to π falls like λ*^t."""
    lam = np.sort(np.abs(np.linalg.eigvals(_dense(P))))[::-1]
    if len(lam) < 2:
        return 1.0
    return float("inf") if lam[1] >= 1.0 else float(1.0 / (1.0 - lam[1]))


# ------------------------------------------------------------------ common-payoff games
def _common_utility(game: Game) -> np.ndarray:
    if not game.is_common_payoff:
        raise GameError(
            f"{game.name!r} is not a common-payoff game: the softmax closed form and the "
            f"seed's bound need one shared utility (use stationary_distribution(transition_matrix(...)))"
        )
    return game.payoff_vectors[:, 0]


def softmax_distribution(game: Game, alpha: float) -> np.ndarray:
    """π(a) ∝ exp(α·U(a)) over the profiles of a common-payoff game (seed 000, Lemma 1)."""
    u = _common_utility(game)
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    w = np.exp(alpha * (u - u.max()))  # shifted: no overflow for large α
    return w / w.sum()


def expected_utility(game: Game, dist: np.ndarray) -> np.ndarray:
    """Expected payoff of every seat when the profile is drawn from ``dist`` (shape (k,))."""
    dist = np.asarray(dist, dtype=float)
    if dist.shape != (game.n_profiles,):
        raise ValueError(f"dist must have one probability per profile ({game.n_profiles}), got shape {dist.shape}")
    return dist @ game.payoff_vectors


def optimal_profiles(game: Game) -> np.ndarray:
    """Flat indices of the profiles maximising the common payoff."""
    u = _common_utility(game)
    return np.flatnonzero(u >= u.max() - game.tolerance)


def _gap(game: Game) -> tuple[float, float]:
    """(U*, U* − U₂): best utility and its distance to the second-highest value (inf if all
    profiles are optimal)."""
    u = _common_utility(game)
    best = float(u.max())
    rest = u[u < best - game.tolerance]
    return best, (best - float(rest.max())) if rest.size else math.inf


def suboptimality_bound(game: Game, alpha: float, u_min: float | None = None) -> float:
    """Seed 000's bound on U* − E_π[U] at rationality α: (U* − u_min)·|A|·exp(−α·(U* − U₂)).

    From the proof of Theorem 1: π(a*)/π(a) ≥ exp(α(U* − U₂)) for an optimal a* and any
    non-optimal a; with at least one optimal and fewer than |A| (the number of profiles)
    non-optimal states, P_π(optimal)/P_π(not) ≥ exp(α(U* − U₂))/|A|, hence (x/(1+x) ≥ 1 − 1/x)
    P_π(not optimal) ≤ |A|·exp(−α(U* − U₂)); a non-optimal state loses at most U* − u_min.
    """
    best, gap = _gap(game)
    floor = float(switch_floors(game, u_min)[0])
    if math.isinf(gap):
        return 0.0
    return (best - floor) * game.n_profiles * math.exp(-float(alpha) * gap)


def alpha_for_suboptimality(game: Game, epsilon: float, u_min: float | None = None) -> float:
    """The seed's α guaranteeing expected suboptimality U* − E_π[U] ≤ ε (Theorem 1):

        α(ε) = ln(|A|·(U* − u_min)/ε) / (U* − U₂),

    |A| = Π_i n_i the number of profiles (the seed's |A|^n for n players with a common action
    set A), U* the best and U₂ the second-highest utility, u_min the switchers' lower bound
    (default min U). It solves ε = :func:`suboptimality_bound` — seed 000, proof of Theorem 1,
    "Fix ε. Set α ..." (the extracted seed lost the formula; this is the value its argument
    needs, step by step as in :func:`suboptimality_bound`). Returns 0 when α = 0 already
    suffices by the same bound (ε ≥ |A|·(U* − u_min)) or every profile is optimal. The bound
    is loose: :func:`exact_alpha_for_suboptimality` gives the smallest sufficient α.
    """
    if not epsilon > 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    best, gap = _gap(game)
    floor = float(switch_floors(game, u_min)[0])
    if math.isinf(gap) or best - floor <= 0:
        return 0.0
    return max(0.0, math.log(game.n_profiles * (best - floor) / epsilon) / gap)


def exact_alpha_for_suboptimality(game: Game, epsilon: float) -> float:
    """The smallest α with U* − E_{softmax(α)}[U] ≤ ε, by root finding (``scipy.optimize.brentq``).

    E_{softmax(α)}[U] increases in α (its derivative is Var_π(U) ≥ 0), so the set of sufficient
    α is an interval [α_exact, ∞); the seed's :func:`alpha_for_suboptimality` lies in it.
    """
    from scipy.optimize import brentq

    if not epsilon > 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    u = _common_utility(game)
    best = float(u.max())

    def excess(alpha: float) -> float:
        return best - float(softmax_distribution(game, alpha) @ u) - epsilon

    if excess(0.0) <= 0:
        return 0.0
    hi = max(alpha_for_suboptimality(game, epsilon), 1e-12)
    while excess(hi) > 0:  # pragma: no cover - the seed's α always suffices
        hi *= 2
    return float(brentq(excess, 0.0, hi, xtol=1e-12, rtol=1e-10))
