"""The Moran process in closed form: the map from payoffs to fitness, and the exact fixation
probability of a well-mixed population of two types without mutation (to check the
``moran`` kind's simulations against)."""

from __future__ import annotations

import numpy as np

from .multisets import FocalPayoffs


def fitness_from_payoffs(
    payoffs: np.ndarray, fitness: str, intensity: float, reference: float | None = None
) -> np.ndarray:
    """Map payoffs to (positive) fitness. The exponential map is taken relative to
    ``reference`` (default: the largest payoff), which leaves every fitness ratio unchanged
    and avoids overflow."""
    p = np.asarray(payoffs, dtype=float)
    if fitness == "linear":
        return 1.0 - intensity + intensity * p
    if not p.size:
        return p
    return np.exp(intensity * (p - (p.max() if reference is None else reference)))


def fixation_probability(
    focal: FocalPayoffs,
    size: int,
    mutant: int,
    resident: int,
    initial: int = 1,
    *,
    fitness: str = "exponential",
    intensity: float = 1.0,
    update: str = "birth_death",
) -> float:
    """Exact probability that ``initial`` individuals of type ``mutant`` take over a well-mixed
    population of ``size`` otherwise of type ``resident`` (no mutation), for the Moran
    process of the ``moran`` kind (:mod:`tournament.models.moran`).

    The number of mutants is a birth–death chain with absorbing states 0 and N; with
    ``T⁺_i``, ``T⁻_i`` the probabilities to gain / lose a mutant in state i, the fixation
    probabilities solve ``(T⁺_i + T⁻_i)·ρ_i = T⁺_i·ρ_{i+1} + T⁻_i·ρ_{i−1}`` (a tridiagonal
    system, solved directly so that zero fitness is handled as the simulation handles it). Its
    solution is the textbook ``(1 + Σ_{j<i₀} Π_{i≤j} γ_i) / (1 + Σ_{j<N} Π_{i≤j} γ_i)``,
    ``γ_i = T⁻_i / T⁺_i`` (Nowak 2006, eq. 6.13, for frequency-dependent fitness).
    """
    from scipy.linalg import solve_banded

    n = int(size)
    if not 0 <= initial <= n:
        raise ValueError(f"initial must be in 0..{n}, got {initial}")
    if initial in (0, n):
        return float(initial == n)
    up = np.zeros(n + 1)
    down = np.zeros(n + 1)
    for i in range(1, n):
        pools = np.zeros((2, focal.n_types), dtype=np.int64)
        pools[0, mutant], pools[0, resident] = i - 1, n - i  # a mutant's co-players
        pools[1, mutant], pools[1, resident] = i, n - i - 1  # a resident's
        f, g = fitness_from_payoffs(focal.against_pool(np.array([mutant, resident]), pools), fitness, intensity)
        if update == "birth_death":  # parent ∝ fitness (uniform if all are 0), victim among the others
            total = i * f + (n - i) * g
            pm = i * f / total if total > 0 else i / n
            up[i] = pm * (n - i) / (n - 1)
            down[i] = (1 - pm) * i / (n - 1)
        else:  # victim uniform, parent among the others ∝ fitness (uniform if all are 0)
            gain_total, lose_total = i * f + (n - i - 1) * g, (i - 1) * f + (n - i) * g
            up[i] = (n - i) / n * (i * f / gain_total if gain_total > 0 else i / (n - 1))
            down[i] = i / n * ((n - i) * g / lose_total if lose_total > 0 else (n - i) / (n - 1))
        if up[i] == 0 and down[i] == 0:
            raise ValueError(f"the process cannot leave the state with {i} mutant(s)")
    # unknowns rho_1..rho_{N-1}; rho_0 = 0, rho_N = 1
    m = n - 1
    bands = np.zeros((3, m))
    bands[0, 1:] = -up[1 : n - 1]  # super-diagonal: -T+_i (coefficient of rho_{i+1})
    bands[1] = up[1:n] + down[1:n]
    bands[2, :-1] = -down[2:n]  # sub-diagonal: -T-_i (coefficient of rho_{i-1})
    rhs = np.zeros(m)
    rhs[-1] = up[n - 1]
    rho = solve_banded((1, 1), bands, rhs)
    return float(np.clip(rho[initial - 1], 0.0, 1.0))
