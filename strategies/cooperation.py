"""Which action is "cooperate" and which is "defect", for the classic strategies.

The classics are defined on the prisoner's dilemma. Elsewhere (docs/strategies.md):

- a player whose actions are labelled ``C`` and ``D`` cooperates with ``C``;
- any other 2-action player cooperates with its first action and defects with its second;
- for games with other action counts the ``cooperate``/``defect`` parameters (labels or
  indices, resolved in every player's action list) are required;
- with k > 2 players, "the opponent cooperated" means every other player played its
  cooperate action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tournament.errors import GameError, StrategyError

from .base import Strategy

if TYPE_CHECKING:  # pragma: no cover
    from tournament.game import Game
    from tournament.view import MatchView


def cooperation_actions(game: Game, player: int, cooperate=None, defect=None) -> tuple[int, int]:
    """(cooperate index, defect index) of ``player`` in ``game``; StrategyError if unknown."""
    labels = game.actions[player]
    try:
        if cooperate is not None or defect is not None:
            if cooperate is None or defect is None:
                raise StrategyError("give both 'cooperate' and 'defect' parameters, or neither")
            c = game.action_index(player, cooperate)
            d = game.action_index(player, defect)
        elif "C" in labels and "D" in labels and len(labels) == 2:
            c, d = labels.index("C"), labels.index("D")
        elif len(labels) == 2:
            c, d = 0, 1
        else:
            raise StrategyError(
                f"cannot infer which action of player {player} is 'cooperate' in game "
                f"{game.name!r} (actions {list(labels)}); pass the parameters cooperate=... and defect=..."
            )
    except GameError as exc:
        raise StrategyError(f"cooperate/defect parameters do not fit game {game.name!r}: {exc}") from None
    if c == d:
        raise StrategyError(f"'cooperate' and 'defect' are the same action {labels[c]!r} for player {player}")
    return c, d


class CooperationStrategy(Strategy):
    """Base for strategies written in terms of cooperate (C) and defect (D).

    After :meth:`reset`, ``self.C``/``self.D`` are the own action indices and
    :meth:`others_cooperated` tells whether every other player cooperated in a round.
    """

    stochastic = False

    def __init__(self, cooperate=None, defect=None):
        self.cooperate = cooperate
        self.defect = defect

    def reset(self, view: MatchView) -> None:
        game = view.game
        pairs = [cooperation_actions(game, j, self.cooperate, self.defect) for j in range(game.n_players)]
        self.C, self.D = pairs[view.seat]
        self._others = [(j, pairs[j][0]) for j in range(game.n_players) if j != view.seat]

    def others_cooperated(self, profile) -> bool:
        """True if every other player played its cooperate action in ``profile``."""
        for j, c in self._others:
            if profile[j] != c:
                return False
        return True

    def opponent_defected_rounds(self, view: MatchView, last: int | None = None):
        """Boolean array: in which of the last ``last`` rounds (all if None) some other
        player did not cooperate."""
        acts = view.actions if last is None else view.actions[-last:]
        bad = None
        for j, c in self._others:
            col = acts[:, j] != c
            bad = col if bad is None else (bad | col)
        return bad
