"""Regret of a play sequence, and the payoff tables no-regret learners work with.

For player i with own payoff u_i, a sequence of profiles a_1..a_T (others' part o_t):

- external regret (Hannan 1957): max_b (1/T) Σ_t [u_i(b, o_t) − u_i(a_t)] — how much better
  the best fixed own action would have done. Hedge and unconditional regret matching drive
  it to ≤ 0 (Hannan consistency); the empirical joint play then approaches the set of coarse
  correlated equilibria.
- internal (conditional) regret (Hart & Mas-Colell 2000, eq. (2.1a)):
  max_{j,k} (1/T) Σ_{t: a_{i,t} = j} [u_i(k, o_t) − u_i(j, o_t)] — how much better
  "play k whenever you played j" would have done. Hart & Mas-Colell's regret matching drives
  it to ≤ 0 for every player, i.e. the empirical joint distribution of play converges to the
  set of correlated equilibria.
"""

from __future__ import annotations

import numpy as np

from ..game import Game


def own_payoff_matrix(game: Game, seat: int) -> np.ndarray:
    """Seat ``seat``'s payoffs as an (n_seat, n_others) matrix: row = own action, column =
    the others' joint action as a flat index in C order over the other seats (see
    :func:`others_index`)."""
    u = np.moveaxis(game.payoffs[..., seat], seat, 0)
    return np.ascontiguousarray(u.reshape(game.n_actions[seat], -1))


def others_strides(game: Game, seat: int) -> np.ndarray:
    """Multipliers (one per seat, 0 for ``seat`` itself) turning a profile into the flat
    index of the others' joint action used by :func:`own_payoff_matrix`."""
    n = [m for j, m in enumerate(game.n_actions) if j != seat]
    strides = [int(np.prod(n[j + 1 :], dtype=np.int64)) for j in range(len(n))]
    strides.insert(seat, 0)
    return np.array(strides, dtype=np.int64)


def others_index(game: Game, seat: int, actions: np.ndarray) -> np.ndarray:
    """Flat index of the others' joint action in each row of an (T, k) action array."""
    return np.asarray(actions, dtype=np.int64) @ others_strides(game, seat)


def _joint_counts(game: Game, seat: int, actions: np.ndarray) -> np.ndarray:
    """counts[j, o]: rounds in which ``seat`` played j and the others played o."""
    actions = np.asarray(actions, dtype=np.int64)
    n_own = game.n_actions[seat]
    n_others = game.n_profiles // n_own
    flat = actions[:, seat] * n_others + others_index(game, seat, actions)
    return np.bincount(flat, minlength=n_own * n_others).reshape(n_own, n_others)


def external_regret(game: Game, actions: np.ndarray) -> np.ndarray:
    """Average external regret of every seat over the rounds of ``actions`` (shape (T, k)).

    Returns shape (k,); 0 for an empty sequence. It may be negative: a player that adapts
    can beat every fixed action.
    """
    actions = np.asarray(actions)
    T = len(actions)
    out = np.zeros(game.n_players)
    if T == 0:
        return out
    for i in range(game.n_players):
        u = own_payoff_matrix(game, i)
        c = _joint_counts(game, i, actions)
        realized = float((c * u).sum())
        best_fixed = float((u @ c.sum(axis=0)).max())
        out[i] = (best_fixed - realized) / T
    return out


def internal_regret(game: Game, actions: np.ndarray) -> np.ndarray:
    """Average internal (conditional) regret max_{j,k} D_T(j,k) of every seat (shape (k,)),
    with D_T(j, k) = (1/T) Σ_{t: a_{i,t}=j} [u_i(k, o_t) − u_i(j, o_t)] (≥ 0, as j = k gives 0)."""
    actions = np.asarray(actions)
    T = len(actions)
    out = np.zeros(game.n_players)
    if T == 0:
        return out
    for i in range(game.n_players):
        u = own_payoff_matrix(game, i)
        m = _joint_counts(game, i, actions) @ u.T  # m[j, k] = Σ_{t: a=j} u(k, o_t)
        out[i] = float((m - np.diag(m)[:, None]).max()) / T
    return out
