"""The haggler's prior ζ over its hypotheses (docs/haggler.md, "Prior and presets") and the named presets.

Complexity prior::

    ζ(h) ∝ w_class(h) · 2^(−K(h)) · u(h)

with w_class a weight per class, u an optional user weight function and K(h) the
description length of h in bits:

==========  ==============================================================
class       K(h) (bits)
==========  ==============================================================
(all)       log₂ 5 for the class code (⊤, constant, automaton, password, custom)
⊤           nothing more
constant    log₂|O| (which joint action the others repeat)
automaton   ℓ(q) + q·log₂|O| + q·|A|·log₂ q   (size, an output and a move per action per state)
password    ℓ(n+1) + ℓ(m) + n·log₂|A| + m·log₂(|A||O|)   (lengths, the password, the loop)
custom      the table's ``bits`` if given, else ℓ(S) + log₂ S + S·|A|·|O|·(1 + log₂ S)
            (a B bit and a target per (state, action, observation)); times its ``weight``
==========  ==============================================================

ℓ(x) = 2⌊log₂ x⌋ + 1 is the Elias-gamma length of an integer x ≥ 1. ``password_mass``, if
given, rescales the password class so that it holds exactly that share of the prior.

The prior only matters where the algorithm samples: among the consistent hypotheses whose
value ties (within 1e-9) for the best. Which values exist at all is set by the hypothesis
space (N, M, m, classes) — so the presets differ in both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .hypotheses import KINDS
from .space import KIND_CODE, HypothesisSpace

PRESETS: dict[str, dict[str, Any]] = {
    "default": dict(
        classes=("top", "constant", "automaton", "password"),
        max_password=3,
        max_loop=2,
        max_automaton=2,
        class_weights={},
        password_mass=None,
    ),
    # rich in long passwords and in loops (many high-value ones), password-heavy prior, weak ⊤
    "ambitious": dict(
        classes=("top", "constant", "automaton", "password"),
        max_password=8,
        max_loop=3,
        max_automaton=2,
        class_weights={"top": 0.01},
        password_mass=0.9,
    ),
    # few, short password hypotheses with little mass; a strong ⊤
    "cautious": dict(
        classes=("top", "constant", "automaton", "password"),
        max_password=1,
        max_loop=1,
        max_automaton=2,
        class_weights={"top": 100.0},
        password_mass=0.05,
    ),
}
"""Named presets: hypothesis space sizes (N = max_password, M = max_loop, m = max_automaton),
enabled classes, class weights and password mass. Explicit parameters override them."""

CLASS_CODE_BITS = math.log2(len(KINDS))


def elias_gamma_bits(x: np.ndarray | int) -> np.ndarray:
    """ℓ(x) = 2⌊log₂ x⌋ + 1 for integers x ≥ 1."""
    x = np.asarray(x, dtype=np.int64)
    return 2 * np.floor(np.log2(np.maximum(x, 1))) + 1


def description_bits(space: HypothesisSpace) -> np.ndarray:
    """K(h) in bits for every hypothesis of the space (formula in the module docstring)."""
    A, O = space.sg.n_actions, space.sg.n_obs
    H = space.n_hypotheses
    bits = np.full(H, CLASS_CODE_BITS)
    kind = space.kind
    c = kind == KIND_CODE["constant"]
    bits[c] += math.log2(O) if O > 1 else 0.0
    au = kind == KIND_CODE["automaton"]
    q = space.n_states[au].astype(float)
    bits[au] += elias_gamma_bits(q) + q * math.log2(max(O, 1)) + q * A * np.log2(q)
    pw = kind == KIND_CODE["password"]
    n = space.password_length[pw].astype(float)
    m = space.loop_length[pw].astype(float)
    bits[pw] += elias_gamma_bits(n + 1) + elias_gamma_bits(m) + n * math.log2(A) + m * math.log2(A * O)
    for h in np.flatnonzero(kind == KIND_CODE["custom"]):
        hyp = space.custom[int(space.member[h])]
        if hyp.bits is not None:
            bits[h] += hyp.bits
        else:
            S = hyp.n_states
            lg = math.log2(S) if S > 1 else 0.0
            bits[h] += float(elias_gamma_bits(S)) + lg + S * A * O * (1 + lg)
    return bits


def prior_weights(
    space: HypothesisSpace,
    *,
    class_weights: dict[str, float] | None = None,
    password_mass: float | None = None,
    weight: Callable | None = None,
    catalog_extra: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """ζ over the space's hypotheses (sums to 1).

    ``weight``, if given, is called once with the space's catalog (a pandas DataFrame: id,
    kind, n_states, password_length, loop_length, bits, plus ``catalog_extra`` columns such
    as the value at the start state) and must return one non-negative multiplier per row.
    """
    H = space.n_hypotheses
    bits = description_bits(space)
    log_w = -bits
    cw = {k: 1.0 for k in KINDS}
    cw.update(class_weights or {})
    with np.errstate(divide="ignore"):
        class_log = np.log2(np.array([cw[k] for k in KINDS], dtype=float))
    log_w = log_w + class_log[space.kind.astype(np.int64)]
    custom = space.kind == KIND_CODE["custom"]
    if custom.any():
        mult = np.array([space.custom[int(i)].weight for i in space.member[custom]], dtype=float)
        with np.errstate(divide="ignore"):
            log_w[custom] += np.log2(mult)
    if weight is not None:
        catalog = space.catalog()
        catalog["bits"] = bits
        for key, col in (catalog_extra or {}).items():
            catalog[key] = col
        try:
            user = np.asarray(weight(catalog), dtype=float)
        except Exception as exc:  # a user function: report what failed
            raise ValueError(f"weight: the user weight function raised {type(exc).__name__}: {exc}") from None
        if user.shape != (H,):
            raise ValueError(
                f"weight: the user weight function returned shape {user.shape}, expected ({H},) "
                "(one multiplier per catalog row)"
            )
        if not np.all(np.isfinite(user)) or (user < 0).any():
            raise ValueError("weight: the user weight function must return finite non-negative multipliers")
        with np.errstate(divide="ignore"):
            log_w = log_w + np.log2(user)
    finite = np.isfinite(log_w)
    if not finite.any():
        raise ValueError("the prior gives every hypothesis weight 0 (check class_weights and weight)")
    w = np.zeros(H)
    w[finite] = np.exp2(log_w[finite] - log_w[finite].max())
    if password_mass is not None:
        pw = space.kind == KIND_CODE["password"]
        mass_pw, mass_rest = w[pw].sum(), w[~pw].sum()
        if mass_pw > 0 and mass_rest > 0:
            w[pw] *= password_mass / (1 - password_mass) * mass_rest / mass_pw
    if w[0] <= 0:
        raise ValueError("class_weights: ⊤ ('top') must keep a positive weight (it is the fallback hypothesis)")
    return w / w.sum()
