"""Learning baselines (docs/switcher.md): fictitious play, Hedge, regret matching.

All three learn from the game's own payoff table and the others' observed actions (the
actions recorded in the history, i.e. after noise), for any number of players and actions.
The others' joint action is one "opponent action" o; u(a, o) is the own payoff
(:func:`tournament.theory.regret.own_payoff_matrix`).
"""

from __future__ import annotations

import math

import numpy as np

from tournament.theory.regret import others_strides, own_payoff_matrix

from .base import Strategy
from .registry import register


class _Learner(Strategy):
    """Shared bookkeeping: the own payoff matrix u[a, o] and the index o of the others'
    joint action in the last round."""

    def reset(self, view) -> None:
        self._u = own_payoff_matrix(view.game, view.seat)
        self._ostrides = others_strides(view.game, view.seat).tolist()
        self._n = view.n_actions
        self._tol = view.game.tolerance

    def _last_others(self, view) -> int:
        o = 0
        for a, s in zip(view.last_actions, self._ostrides):
            o += a * s
        return o


def _check_choice(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


@register
class FictitiousPlay(_Learner):
    """Best response to the empirical frequencies of the others' play (Brown 1951; Robinson 1951).

    Source: G. W. Brown, "Iterative solution of games by fictitious play" (1951); for k
    players and prior weights, Fudenberg & Levine, *The Theory of Learning in Games* (1998), ch. 2.

    Parameters
    ----------
    beliefs:
        ``"joint"`` (default): the belief is the empirical distribution of the others'
        *joint* action, so correlations among the others are kept (docs/switcher.md);
        ``"independent"``: the product of each other player's empirical marginal
        (the classical k-player fictitious play). Identical for 2 players.
    prior:
        weight (in pseudo-rounds) of an initial uniform belief, spread evenly over the others'
        joint actions (or each other player's actions). With 0 (default) the first round
        best-responds to the uniform belief and the prior has no weight afterwards.
    ties:
        ``"random"`` (default): among equally good best responses pick uniformly with
        ``self.rng``; ``"first"``: the lowest action index (deterministic).

    Ties between expected payoffs are judged with the game's tolerance.
    """

    name = "fictitious_play"

    def __init__(self, beliefs: str = "joint", prior: float = 0.0, ties: str = "random"):
        _check_choice("beliefs", beliefs, ("joint", "independent"))
        _check_choice("ties", ties, ("random", "first"))
        if isinstance(prior, bool) or not isinstance(prior, (int, float)) or not math.isfinite(prior) or prior < 0:
            raise ValueError(f"prior must be a finite number >= 0, got {prior!r}")
        self.beliefs = beliefs
        self.prior = prior
        self.ties = ties

    @property
    def is_stochastic(self) -> bool:
        return self.ties == "random"

    def reset(self, view) -> None:
        super().reset(view)
        game = view.game
        # expected payoff of each own action against the uniform belief
        self._uniform = self._u.mean(axis=1)
        if self.beliefs == "joint":
            self._score = np.zeros(self._n)  # Σ_t u(·, o_t)
        else:
            self._others = [j for j in range(game.n_players) if j != view.seat]
            # own payoffs as an array (own, other_1, ..., other_{k-1})
            self._table = np.moveaxis(game.payoffs[..., view.seat], view.seat, 0)
            self._marginal_counts = [np.zeros(game.n_actions[j]) for j in self._others]

    def observe(self, view) -> None:
        if self.beliefs == "joint":
            self._score += self._u[:, self._last_others(view)]
        else:
            last = view.last_actions
            for counts, j in zip(self._marginal_counts, self._others):
                counts[last[j]] += 1

    def expected_payoffs(self, view) -> np.ndarray:
        """Expected own payoff of each action under the current belief."""
        t = view.round
        weight = t + self.prior
        if weight == 0:
            return self._uniform.copy()
        if self.beliefs == "joint":
            return (self._score + self.prior * self._uniform) / weight
        value = self._table
        for counts in self._marginal_counts:
            freq = (counts + self.prior / len(counts)) / weight
            value = np.tensordot(value, freq, axes=([1], [0]))
        return value

    def choose(self, view) -> int:
        values = self.expected_payoffs(view)
        best = np.flatnonzero(values >= values.max() - self._tol)
        if len(best) == 1 or self.ties == "first":
            return int(best[0])
        return int(best[self.rng.integers(len(best))])


@register
class Hedge(_Learner):
    """Multiplicative weights on own actions with full-information payoffs (Freund & Schapire 1997).

    Source: Y. Freund & R. E. Schapire, "A decision-theoretic generalization of on-line
    learning and an application to boosting" (1997) — Hedge(β) with β = e^{−η}; here for gains:
    after round t the probability of action a is ∝ exp(η·Σ_{s≤t} g_s(a)), with
    g_s(a) = (u(a, o_s) − u_min)/(u_max − u_min) ∈ [0, 1] the payoff action a *would* have
    earned against the others' actual play o_s (full information, from the game), rescaled by
    the own payoff range so that one learning rate fits every game.

    Parameters
    ----------
    learning_rate:
        η > 0 (default 0.1). Expected regret after T rounds ≤ ln(n)/η + η·T/8 (Cesa-Bianchi &
        Lugosi 2006, Thm 2.2), minimised by η = √(8·ln(n)/T). ``None``: the anytime schedule
        η_t = √(8·ln(n)/t) in the t-th round (Cesa-Bianchi & Lugosi 2006, Thm 2.3), regret
        ≤ 2√(T·ln(n)/2) + √(ln(n)/8) for every horizon T.

    Round 0 is uniform. ``self.probabilities`` holds the distribution used in the last round.
    """

    name = "hedge"

    def __init__(self, learning_rate: float | None = 0.1):
        if learning_rate is not None and (
            isinstance(learning_rate, bool)
            or not isinstance(learning_rate, (int, float))
            or not math.isfinite(learning_rate)
            or learning_rate <= 0
        ):
            raise ValueError(
                f"learning_rate must be a finite number > 0 (or unset for the anytime schedule), got {learning_rate!r}"
            )
        self.learning_rate = learning_rate

    def reset(self, view) -> None:
        super().reset(view)
        lo, hi = float(self._u.min()), float(self._u.max())
        self._gain = (self._u - lo) / (hi - lo) if hi - lo > self._tol else np.zeros_like(self._u)
        self._cum = np.zeros(self._n)
        self.probabilities = np.full(self._n, 1.0 / self._n)

    def observe(self, view) -> None:
        self._cum += self._gain[:, self._last_others(view)]

    def rate(self, t: int) -> float:
        """η used after ``t`` observed rounds."""
        if self.learning_rate is not None:
            return float(self.learning_rate)
        # the (t+1)-th prediction uses η_{t+1} = √(8·ln(n)/(t+1)) (Cesa-Bianchi & Lugosi, Thm 2.3)
        return math.sqrt(8.0 * math.log(self._n) / (t + 1))

    def choose(self, view) -> int:
        z = self.rate(view.round) * self._cum
        w = np.exp(z - np.max(z))
        self.probabilities = w / w.sum()
        return _draw(self.rng, self.probabilities)


def _draw(rng: np.random.Generator, p: np.ndarray) -> int:
    """One draw from the distribution ``p`` (cheaper than ``rng.choice`` for a few actions)."""
    return min(int(np.searchsorted(np.cumsum(p), rng.random() * p.sum(), side="right")), len(p) - 1)


@register
class RegretMatching(_Learner):
    """Regret matching (Hart & Mas-Colell 2000): switch away from the last action in
    proportion to the regret for not having played another one instead.

    Source: S. Hart & A. Mas-Colell, "A simple adaptive procedure leading to correlated
    equilibrium", *Econometrica* 68 (2000), eq. (2.2). With j the own action of the last round
    and D_t(j, k) = (1/t)·Σ_{s≤t: a_s = j} [u(k, o_s) − u(j, o_s)] the average conditional
    regret, the next action is k ≠ j with probability max(D_t(j, k), 0)/μ and j otherwise.
    If every player uses it, the empirical joint distribution of play converges almost surely
    to the set of correlated equilibria (internal regret → 0,
    :func:`tournament.theory.regret.internal_regret`).

    Parameters
    ----------
    variant:
        ``"conditional"`` (default): the procedure above. ``"unconditional"``: play each
        action with probability ∝ its positive average external regret
        max((1/t)·Σ_s [u(k, o_s) − u(a_s, o_s)], 0), uniformly when none is positive
        (Hart & Mas-Colell, "A general class of adaptive strategies", *JET* 98 (2001); the
        regret matching of counterfactual regret minimisation). It is Hannan consistent
        (external regret → 0): the joint play approaches the coarse correlated equilibria.
    inertia:
        μ of the conditional variant; must be at least (n − 1)·(u_max − u_min) so the switching
        probabilities sum to at most 1 (the paper asks μ > 2M(n − 1), M ≥ |u|). Default
        2·(n − 1)·(u_max − u_min). Larger μ: more inertia, slower convergence.

    Round 0 is uniformly random.
    """

    name = "regret_matching"

    def __init__(self, variant: str = "conditional", inertia: float | None = None):
        _check_choice("variant", variant, ("conditional", "unconditional"))
        if inertia is not None and (
            isinstance(inertia, bool)
            or not isinstance(inertia, (int, float))
            or not math.isfinite(inertia)
            or inertia <= 0
        ):
            raise ValueError(f"inertia must be a finite number > 0 (or unset), got {inertia!r}")
        self.variant = variant
        self.inertia = inertia

    def check(self, game, seat: int) -> None:
        """Scenario-load check: the inertia is large enough for this seat's payoffs."""
        self._mu(own_payoff_matrix(game, seat), game.n_actions[seat])

    def _mu(self, u: np.ndarray, n: int) -> float:
        span = float(u.max() - u.min())
        need = (n - 1) * span
        if self.inertia is None:
            return 2.0 * need if need > 0 else 1.0
        if self.inertia < need:
            raise ValueError(
                f"inertia={self.inertia!r} is below (n - 1)*(u_max - u_min) = {need:g} for this seat; "
                f"the switching probabilities could sum to more than 1"
            )
        return float(self.inertia)

    def reset(self, view) -> None:
        super().reset(view)
        self._mu_value = self._mu(self._u, self._n)
        if self.variant == "conditional":
            self._regret = np.zeros((self._n, self._n))  # Σ_{s: a_s=j} [u(k,o_s) − u(j,o_s)]
        else:
            self._regret = np.zeros(self._n)  # Σ_s [u(k,o_s) − u(a_s,o_s)]

    def observe(self, view) -> None:
        col = self._u[:, self._last_others(view)]
        j = view.last_actions[view.seat]
        if self.variant == "conditional":
            self._regret[j] += col - col[j]
        else:
            self._regret += col - col[j]

    def probabilities(self, view) -> np.ndarray:
        """This round's mixed action."""
        t = view.round
        if t == 0:
            return np.full(self._n, 1.0 / self._n)
        if self.variant == "unconditional":
            pos = np.maximum(self._regret, 0.0)
            total = pos.sum()
            return pos / total if total > self._tol else np.full(self._n, 1.0 / self._n)
        j = view.last_actions[view.seat]
        p = np.maximum(self._regret[j], 0.0) / (t * self._mu_value)
        p[j] = 0.0
        p[j] = max(0.0, 1.0 - p.sum())
        return p

    def choose(self, view) -> int:
        return _draw(self.rng, self.probabilities(view))
