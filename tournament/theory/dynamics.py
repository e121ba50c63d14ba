"""Deterministic share dynamics on a focal payoff table (infinite populations).

- :func:`replicator`: Euler steps of the continuous replicator dynamics
  ``ṡ(a) = s(a)·[EU(a, s) − EU(s)]`` (seed 002, App. F.3). With ``normalize`` the payoffs are
  divided by the table's payoff range, so the step is dimensionless and any step ≤ 1 keeps
  the shares in the simplex (the seed's code uses payoffs in [0, 1] and step 1). Shifting all
  payoffs by a constant does not change the dynamics.
- :func:`discrete_replicator_step`: the discrete-generation replicator (Taylor & Jonker 1978;
  the Axelrod library's ``Ecosystem``) ``x'(a) = x(a)·(b + EU(a, x)) / (b + EU(x))`` with a
  background fitness b that keeps fitness positive.

Both work on a batch of share vectors (leading axes), which the symmetric-optimum search
and the bootstrap intervals use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .multisets import FocalPayoffs, multinomial_probs


def payoff_span(focal: FocalPayoffs) -> np.ndarray:
    """max − min of the table per batch entry (1 where the table is constant)."""
    t = focal.table
    span = t.max(axis=(-2, -1)) - t.min(axis=(-2, -1))
    return np.where(span > 0, span, 1.0)


@dataclass
class ReplicatorRun:
    shares: np.ndarray  # final shares, shape (..., T)
    value: np.ndarray  # EU(s) at the final shares
    steps: np.ndarray  # Euler steps taken per batch entry
    converged: np.ndarray  # bool: last step moved every share by less than tol
    trajectory: np.ndarray | None = None  # (steps + 1, T) when recorded (unbatched runs only)


def replicator(
    focal: FocalPayoffs,
    s0: np.ndarray,
    *,
    step: float = 1.0,
    iterations: int = 10_000,
    tol: float = 1e-12,
    normalize: bool = True,
    record: bool = False,
) -> ReplicatorRun:
    """Euler-step the replicator dynamics from ``s0`` (shape (T,) or (B, T)).

    Stops a batch entry once no share moves by more than ``tol`` in a step, or after
    ``iterations`` steps. ``record`` keeps the whole trajectory (single start only).
    """
    s = np.array(s0, dtype=float)
    single = s.ndim == 1
    if single:
        s = s[None]
    if record and not single:
        raise ValueError("record=True needs a single start")
    table = focal.table
    batched = table.ndim == 3
    scale = 1.0 / payoff_span(focal) if normalize else np.ones(table.shape[:-2])
    if batched:
        scale = np.asarray(scale)[:, None]
    b = s.shape[0]
    steps = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    active = np.arange(b)
    traj = [s[0].copy()] if record else None
    for _ in range(int(iterations)):
        if active.size == 0:
            break
        sub = s[active]
        probs = multinomial_probs(sub, focal.counts, focal.coef)
        if batched:
            f = np.einsum("btm,bm->bt", table[active], probs) * scale[active]
        else:
            f = (probs @ table.T) * scale
        fbar = np.einsum("bt,bt->b", sub, f)[:, None]
        new = sub + step * sub * (f - fbar)
        if np.any(new < 0):  # only possible with step > 1 on normalised payoffs
            new = np.clip(new, 0.0, None)
        new /= new.sum(axis=1, keepdims=True)
        moved = np.abs(new - sub).max(axis=1)
        s[active] = new
        steps[active] += 1
        if traj is not None:
            traj.append(new[0].copy())
        done = moved < tol
        converged[active[done]] = True
        active = active[~done]
    value = focal.value(s)
    if single:
        return ReplicatorRun(s[0], np.asarray(value)[0], steps[:1], converged[:1], np.array(traj) if record else None)
    return ReplicatorRun(s, np.asarray(value), steps, converged)


def replicator_step(focal: FocalPayoffs, x: np.ndarray, step: float, scale: float | np.ndarray = 1.0) -> np.ndarray:
    """One Euler step ``x + step·x·(f − f̄)`` with payoffs multiplied by ``scale``; shares that
    would turn negative (only with ``step·scale·range > 1``) are clipped and renormalised."""
    f = focal.against(x) * np.asarray(scale)[..., None] if np.ndim(scale) else focal.against(x) * scale
    fbar = np.einsum("...t,...t->...", x, f)[..., None]
    new = x + step * x * (f - fbar)
    if np.any(new < 0):
        new = np.clip(new, 0.0, None)
    return new / new.sum(axis=-1, keepdims=True)


def discrete_replicator_step(focal: FocalPayoffs, x: np.ndarray, background: float = 0.0) -> np.ndarray:
    """One generation of the discrete replicator; ``x`` has shape (..., T)."""
    fitness = focal.against(x) + background
    new = x * fitness
    return new / new.sum(axis=-1, keepdims=True)
