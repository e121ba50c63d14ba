"""The read-only view of a match that a strategy receives each round.

Arrays handed out are read-only numpy views of the engine's storage (writing raises
``ValueError``); the view itself has no setters. A strategy sees the game, its seat,
the round number, the shared random number of the round, every player's past actions
(after noise) and its own past payoffs, and the match attributes ``turns`` (the length of a
fixed-length match, None when it is random or hidden) and ``noise``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .game import Game


class History:
    """Engine-side storage of one match (written by the engine only)."""

    __slots__ = (
        "game", "capacity", "t", "xi", "last_actions", "last_payoffs", "match_id",
        "_actions", "_payoffs", "_counts", "ro_actions", "ro_payoffs", "ro_counts",
        "horizon", "noise",
    )

    def __init__(self, game: "Game", capacity: int, match_id: int | None = None):
        k = game.n_players
        self.game = game
        self.capacity = capacity
        self.match_id = match_id
        self.t = 0
        self.xi = 0.0
        self.last_actions: tuple[int, ...] | None = None
        self.last_payoffs: tuple[float, ...] | None = None
        self._actions = np.zeros((capacity, k), dtype=np.int64)
        self._payoffs = np.zeros((capacity, k), dtype=float)
        self._counts = np.zeros((k, max(game.n_actions)), dtype=np.int64)
        # read-only aliases: slices of these are read-only too
        self.ro_actions = self._actions.view()
        self.ro_actions.flags.writeable = False
        self.ro_payoffs = self._payoffs.view()
        self.ro_payoffs.flags.writeable = False
        self.ro_counts = self._counts.view()
        self.ro_counts.flags.writeable = False
        # match attributes shown to strategies (set by the engine): the known length, the noise
        self.horizon: int | None = None
        self.noise = 0.0

    def record(self, profile: tuple[int, ...], payoffs: np.ndarray) -> None:
        t = self.t
        self._actions[t] = profile
        self._payoffs[t] = payoffs
        counts = self._counts
        for i, a in enumerate(profile):
            counts[i, a] += 1
        self.last_actions = profile
        self.last_payoffs = tuple(payoffs.tolist())
        self.t = t + 1

    def trimmed(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the played part of the action and payoff arrays."""
        return self._actions[: self.t].copy(), self._payoffs[: self.t].copy()


class MatchView:
    """What seat ``seat`` may see of the match. Read-only.

    Attributes and properties:

    - ``game``, ``seat``, ``n_players``, ``n_actions`` (own action count)
    - ``round``: rounds completed so far (0 in the first round)
    - ``xi``: this round's shared random number in [0, 1), the same for every seat
    - ``actions``: (round, k) int array of all past actions; ``my_actions``,
      ``actions_of(j)``, ``others_actions``
    - ``payoffs``: own past payoffs, shape (round,)
    - ``last_actions``: tuple of the last round's actions (None in round 0),
      ``last_payoff``: own payoff of the last round (None in round 0)
    - ``counts(j)``: how often seat j has played each of its actions so far
    - ``turns``: the match length when it is fixed and revealed, else None (``prob_end``
      matches, ``reveal_length = false``, random matching); ``noise``: the noise probability
    """

    __slots__ = ("_h", "seat", "game")

    def __init__(self, history: History, seat: int):
        self._h = history
        self.seat = seat
        self.game = history.game

    @property
    def n_players(self) -> int:
        return self.game.n_players

    @property
    def n_actions(self) -> int:
        return self.game.n_actions[self.seat]

    @property
    def round(self) -> int:
        return self._h.t

    @property
    def xi(self) -> float:
        return self._h.xi

    @property
    def turns(self) -> int | None:
        return self._h.horizon

    @property
    def noise(self) -> float:
        return self._h.noise

    @property
    def match_id(self) -> int | None:
        return self._h.match_id

    @property
    def actions(self) -> np.ndarray:
        return self._h.ro_actions[: self._h.t]

    @property
    def my_actions(self) -> np.ndarray:
        return self._h.ro_actions[: self._h.t, self.seat]

    def actions_of(self, seat: int) -> np.ndarray:
        return self._h.ro_actions[: self._h.t, seat]

    @property
    def others(self) -> tuple[int, ...]:
        return tuple(j for j in range(self.game.n_players) if j != self.seat)

    @property
    def others_actions(self) -> np.ndarray:
        """(round, k-1) array of the other seats' actions, in seat order."""
        return np.delete(self.actions, self.seat, axis=1)

    @property
    def payoffs(self) -> np.ndarray:
        return self._h.ro_payoffs[: self._h.t, self.seat]

    @property
    def last_actions(self) -> tuple[int, ...] | None:
        return self._h.last_actions

    @property
    def last_payoff(self) -> float | None:
        lp = self._h.last_payoffs
        return None if lp is None else lp[self.seat]

    def counts(self, seat: int | None = None) -> np.ndarray:
        """Action counts of ``seat`` (default: own) over the rounds so far."""
        s = self.seat if seat is None else seat
        return self._h.ro_counts[s, : self.game.n_actions[s]]

    def __repr__(self) -> str:
        return f"MatchView(seat={self.seat}, round={self.round}, game={self.game.name!r})"
