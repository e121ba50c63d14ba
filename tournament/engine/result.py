"""What a match produced: :class:`MatchResult` (both engines return one)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from strategies.base import Strategy

from ..game import Game


@dataclass
class MatchResult:
    """Everything a match produced. ``actions``/``payoffs`` have shape (rounds, k); actions
    are stored compactly (one byte per action in games with up to 256 actions per player)."""

    game: Game
    names: list[str]
    actions: np.ndarray
    payoffs: np.ndarray
    traces: list[dict[str, np.ndarray]]
    match_id: int | None = None
    strategies: list[Strategy] = field(default_factory=list, repr=False)

    @property
    def turns(self) -> int:
        return int(self.actions.shape[0])

    @property
    def mean_payoffs(self) -> np.ndarray:
        """Per-seat mean payoff per round (zeros for an empty match)."""
        if self.turns == 0:
            return np.zeros(self.game.n_players)
        return self.payoffs.mean(axis=0)

    def action_labels(self) -> list[tuple[str, ...]]:
        """The actions as label tuples, one per round."""
        labels = self.game.actions
        return [tuple(labels[i][a] for i, a in enumerate(row)) for row in self.actions.tolist()]

    def __repr__(self) -> str:
        means = ", ".join(f"{m:.4g}" for m in self.mean_payoffs)
        return f"MatchResult({' vs '.join(self.names)}, turns={self.turns}, mean payoffs=({means}))"
