"""The softmax switcher (docs/switcher.md) of "Reducing collective rationality to individual
optimization in common-payoff games using MCMC".

Source: the seed's "policies that solve the game" — in every round one player, chosen by
the round's shared random number, re-draws its action uniformly with a probability that
falls exponentially in the utility it got last round; everyone else repeats their action.
In a common-payoff game the resulting chain of action profiles is reversible with the
softmax ``π(a) ∝ exp(α·U(a))`` as its unique stationary distribution; see
:mod:`tournament.theory.softmax` for the exact chain and the seed's bound on α.
"""

from __future__ import annotations

import math

from .base import Strategy
from .registry import register


@register
class SoftmaxSwitcher(Strategy):
    """Seed 000's switcher: the seat ⌊ξ·k⌋ re-draws its action w.p. exp(α·(u_min − last payoff)).

    Parameters
    ----------
    alpha:
        the rationality parameter α ≥ 0. α = 0: the selected player always re-draws (the
        profile chain is a uniform random walk); large α: it almost never leaves a profile
        that paid it more than ``u_min`` (near-optimal in the limit, slow to explore).
    u_min:
        a lower bound on the own payoff, default the minimum of the own payoffs in the game.
        It must not exceed that minimum (the switching probability would exceed 1); a
        lower value only slows the chain down by the factor exp(α·(u_min − min payoff)) and
        leaves its stationary distribution unchanged.

    Round 0: a uniformly random own action (``self.rng``). Round t ≥ 1: seat ⌊ξ_t·k⌋ is
    selected (ξ_t = ``view.xi``, the same for every seat, so exactly one seat is selected
    even when the other seats hold other strategies). The selected switcher, with
    probability exp(α·(u_min − r_i(a_{t−1}))), plays a uniformly random own action
    (possibly the same one); otherwise, and whenever it is not selected, it keeps its action.

    "Its action" is the action recorded in the history for its seat in round t−1 — the one
    its payoff r_i(a_{t−1}) was computed from. Without noise that is the action it chose.
    With noise it is the (possibly flipped) action that was actually played, so the state
    of the seed's Markov chain remains the observed profile and noise enters as an extra
    kernel after every step (``tournament.theory.softmax.transition_matrix(..., noise=)``).
    """

    name = "softmax_switcher"

    def __init__(self, alpha: float = 1.0, u_min: float | None = None):
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not math.isfinite(alpha) or alpha < 0:
            raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
        if u_min is not None and (
            isinstance(u_min, bool) or not isinstance(u_min, (int, float)) or not math.isfinite(u_min)
        ):
            raise ValueError(f"u_min must be a finite number or unset, got {u_min!r}")
        self.alpha = alpha
        self.u_min = u_min

    def check(self, game, seat: int) -> None:
        """Scenario-load check: ``u_min`` must be a lower bound on this seat's payoffs."""
        self._bound(game, seat)

    def _bound(self, game, seat: int) -> float:
        lowest = float(game.payoffs[..., seat].min())
        if self.u_min is None:
            return lowest
        if self.u_min > lowest + game.tolerance:
            raise ValueError(
                f"u_min={self.u_min!r} is above the lowest own payoff {lowest:g} of seat {seat} in "
                f"{game.name!r}; it must be a lower bound (the switching probability "
                f"exp(alpha*(u_min - payoff)) would exceed 1)"
            )
        return float(self.u_min)

    def reset(self, view) -> None:
        self._floor = self._bound(view.game, view.seat)
        self._n = view.n_actions
        self._k = view.n_players

    def switch_probability(self, payoff: float) -> float:
        """exp(α·(u_min − payoff)): the chance that the selected switcher re-draws."""
        return math.exp(self.alpha * (self._floor - payoff))

    def choose(self, view) -> int:
        last = view.last_actions
        if last is None:
            return int(self.rng.integers(self._n))
        mine = last[view.seat]
        # min(): ξ < 1 always, but guard against float round-up of ξ·k to k
        if min(int(view.xi * self._k), self._k - 1) != view.seat:
            return mine
        if self.rng.random() < self.switch_probability(view.last_payoff):
            return int(self.rng.integers(self._n))
        return mine
