"""Totally symmetric games in multiset form: payoffs as polynomials in the shared mixed strategy.

In a totally symmetric game (seed 002, Def. 3.2.3) a player's payoff depends only on its own
action and on the *multiset* of its k−1 co-players' actions. :class:`FocalPayoffs` stores
that as a table ``F[a, m]`` (own action or type ``a``, co-player multiset ``m`` as a count
vector), which is exponentially smaller than the full ``(n,)*k`` payoff array (for k = 5
players and 5 actions: 70 columns instead of 625 profiles).

The expected payoff of ``a`` when the co-players are drawn

- i.i.d. from a mixed strategy / infinite population ``s`` (replicator, ecological,
  symmetric optima) is the polynomial ``EU(a, s) = Σ_m F[a, m] · (k−1)!/∏c_m! · ∏ s^c_m``
  (multinomial probabilities), and ``EU(s) = Σ_a s_a EU(a, s)``;
- without replacement from a finite pool of individuals (Moran process, finite
  neighbourhoods) uses multivariate hypergeometric probabilities instead.

Both are evaluated vectorised over a batch of strategies (leading axes), which is what makes
the seed 002 experiment run in minutes: the monomials are gathered from a table of powers
``s_a^j`` (j < k) and multiplied across actions, one ``(batch, M)`` array per action.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import comb, gammaln

from ..errors import GameError
from ..game import Game


def multisets(n_types: int, size: int) -> np.ndarray:
    """All multisets of ``size`` items from ``n_types`` types as count vectors, shape (M, n_types),
    in ``itertools.combinations_with_replacement`` order (lexicographic in sorted items)."""
    rows = []
    for combo in itertools.combinations_with_replacement(range(n_types), size):
        rows.append(np.bincount(np.asarray(combo, dtype=np.int64), minlength=n_types))
    if not rows:  # size 0: the empty multiset
        return np.zeros((1, n_types), dtype=np.int64)
    return np.array(rows, dtype=np.int64).reshape(-1, n_types)


def multinomial_coefficients(counts: np.ndarray) -> np.ndarray:
    """``n! / ∏ c_t!`` for each count vector (row) of ``counts``."""
    counts = np.asarray(counts)
    n = counts.sum(axis=-1)
    return np.exp(gammaln(n + 1) - gammaln(counts + 1).sum(axis=-1))


def multinomial_probs(s: np.ndarray, counts: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
    """Probability of each multiset (rows of ``counts``) when ``counts.sum(1)`` items are drawn
    i.i.d. from the distribution ``s`` (last axis). Returns shape ``s.shape[:-1] + (M,)``."""
    s = np.asarray(s, dtype=float)
    counts = np.asarray(counts)
    if coef is None:
        coef = multinomial_coefficients(counts)
    top = int(counts.max()) if counts.size else 0
    powers = s[..., None] ** np.arange(top + 1)  # (..., T, top+1); 0**0 == 1
    out = np.broadcast_to(coef, s.shape[:-1] + (counts.shape[0],)).copy()
    for t in range(counts.shape[1]):
        out *= powers[..., t, counts[:, t]]
    return out


def hypergeometric_probs(pool: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Probability of each multiset (rows of ``counts``, all of the same size n) when n
    individuals are drawn without replacement from a pool with ``pool[..., t]`` individuals of
    type t. Returns shape ``pool.shape[:-1] + (M,)``; rows with a pool smaller than n are 0."""
    pool = np.asarray(pool, dtype=float)
    counts = np.asarray(counts)
    n = int(counts[0].sum()) if counts.size else 0
    num = np.ones(pool.shape[:-1] + (counts.shape[0],))
    for t in range(counts.shape[1]):
        num *= comb(pool[..., t, None], counts[:, t])
    total = comb(pool.sum(axis=-1), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / total[..., None]
    return np.nan_to_num(out, nan=0.0, posinf=0.0)


@dataclass(frozen=True)
class FocalPayoffs:
    """Payoff of a focal player by own action/type (rows) and co-player multiset (columns).

    ``table`` has shape ``(..., T, M)``: leading axes batch several games with the same
    shape (the seed 002 experiment); ``n_players`` is k, so each column is a multiset of
    k−1 co-players given by the rows of :attr:`counts`.
    """

    table: np.ndarray
    n_players: int
    labels: tuple[str, ...] = ()

    def __post_init__(self):
        table = np.asarray(self.table, dtype=float)
        object.__setattr__(self, "table", table)
        t = table.shape[-2]
        if table.shape[-1] != math.comb(t + self.n_players - 2, self.n_players - 1):
            raise ValueError(
                f"focal table of shape {table.shape} does not match {t} types and {self.n_players} players"
            )
        if not self.labels:
            object.__setattr__(self, "labels", tuple(str(a) for a in range(t)))

    @property
    def n_types(self) -> int:
        return self.table.shape[-2]

    @cached_property
    def counts(self) -> np.ndarray:
        """Co-player multisets as count vectors, shape (M, T)."""
        return multisets(self.n_types, self.n_players - 1)

    @cached_property
    def coef(self) -> np.ndarray:
        return multinomial_coefficients(self.counts)

    @cached_property
    def column_of(self) -> dict[tuple[int, ...], int]:
        """Column index of a co-player count vector."""
        return {tuple(int(x) for x in row): j for j, row in enumerate(self.counts)}

    @classmethod
    def from_game(cls, game: Game, player: int = 0) -> FocalPayoffs:
        """The focal table of a player-symmetric game (payoffs of ``player``, by default 0)."""
        if not game.is_symmetric:
            raise GameError(
                f"game {game.name!r} is not symmetric under permutations of its players "
                "(same action labels, payoffs permuted with the players); symmetric analyses need that"
            )
        k = game.n_players
        n = game.n_actions[0]
        counts = multisets(n, k - 1)
        # one arrangement of each co-player multiset: its actions in ascending order
        others = np.array([np.repeat(np.arange(n), row) for row in counts], dtype=np.int64).reshape(len(counts), k - 1)
        u = np.moveaxis(game.payoffs[..., player], player, 0)  # own action first
        table = np.empty((n, len(counts)))
        for a in range(n):
            table[a] = u[(np.full(len(counts), a),) + tuple(others.T)] if k > 1 else u[a]
        return cls(table, k, tuple(game.actions[player]))

    # -------------------------------------------------------------- evaluation
    def against(self, s: np.ndarray) -> np.ndarray:
        """``EU(a, s)`` for every own action a when co-players play ``s`` i.i.d.; shape (..., T)."""
        probs = multinomial_probs(s, self.counts, self.coef)
        return np.einsum("...tm,...m->...t", self.table, probs)

    def value(self, s: np.ndarray) -> np.ndarray:
        """``EU(s)``: a player's expected payoff when everyone plays ``s``."""
        s = np.asarray(s, dtype=float)
        return np.einsum("...t,...t->...", s, self.against(s))

    def against_pool(self, own: np.ndarray, pool: np.ndarray) -> np.ndarray:
        """Expected payoff of types ``own`` (ints, shape B) whose k−1 co-players are drawn without
        replacement from pools ``pool`` (counts, shape (B, T)). Needs a 2-D table."""
        probs = hypergeometric_probs(pool, self.counts)
        return np.einsum("bm,bm->b", self.table[np.asarray(own)], probs)

    def pair_matrix(self, s: np.ndarray) -> np.ndarray:
        """``H[a, b]``: expected payoff of a focal player playing a while one co-player plays b and
        the other k−2 play ``s`` i.i.d. (the bilinear part of the payoff around ``s``)."""
        k, t = self.n_players, self.n_types
        if k < 2:
            raise ValueError("a pair matrix needs at least 2 players")
        rest = multisets(t, k - 2)
        probs = multinomial_probs(s, rest)
        cols = np.array(
            [
                [self.column_of[tuple(int(x) for x in row + np.eye(t, dtype=np.int64)[b])] for b in range(t)]
                for row in rest
            ]
        )  # (M', T): column of rest + e_b
        return np.einsum("m,amb->ab", probs, self.table[:, cols])
