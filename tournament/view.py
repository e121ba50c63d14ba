"""The read-only view of a match that a strategy receives each round.

A strategy sees the game, its seat, the round number, the shared random number of the
round, every player's past actions (after noise) and its own past payoffs, and the match
attributes ``turns`` (the length of a fixed-length match, None when it is random or hidden)
and ``noise``.

**What a strategy cannot do.** Each seat has its own :class:`History`: a copy of the match
that the engine writes into every round and never reads back (results come from the engine's
own record and the game's payoff table). The arrays handed out (``actions``, ``payoffs``,
``counts(...)``, ``labels_of(...)``, and the game's payoff table) are numpy views of
read-only memory: writing to them raises ``ValueError`` and so does ``setflags(write=True)``.
The game a seat sees is its own copy of an immutable :class:`~tournament.game.Game`;
``seat``, ``game`` and the other attributes have no setters. So a strategy can neither change
its payoffs, nor what its co-players see, nor any other match.

This guards against accidents and casual tampering, not against hostile code: a strategy is
Python running in the same process and can always reach memory through ``gc``, ``ctypes``
or the like. Run strategies you do not trust in a separate process or container.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import StrategyError

if TYPE_CHECKING:  # pragma: no cover
    from .game import Game


def action_dtype(n_actions) -> np.dtype:
    """The compact dtype that stores action indices of a game (one byte up to 256 actions)."""
    n = max(int(x) for x in n_actions)
    if n <= 1 << 8:
        return np.dtype(np.uint8)
    if n <= 1 << 16:
        return np.dtype(np.uint16)
    return np.dtype(np.int64)


def readonly_array(buf, dtype, shape=None) -> np.ndarray:
    """A numpy view of ``buf`` through a read-only memoryview: it cannot be written to, nor
    flagged writable (``setflags(write=True)`` raises ``ValueError``)."""
    arr = np.frombuffer(memoryview(buf).toreadonly(), dtype=dtype)
    return arr if shape is None else arr.reshape(shape)


class History:
    """What one seat sees of its match (in random matching: of its sequence of games).

    The engine appends every round with :meth:`record` and never reads it back. Actions are
    stored compactly (``action_dtype``) in a buffer that grows as rounds are played, so a
    match whose length is not known in advance (``prob_end``) allocates only what it uses.
    Own payoffs and action counts are derived from the actions and the game's payoff table
    when a strategy first asks for them (so strategies that never look cost nothing), or,
    with ``record_payoffs``, kept as recorded (random matching, where the recorded payoffs
    are in the individual's own seat order).
    """

    __slots__ = (
        "game",
        "seat",
        "k",
        "t",
        "xi",
        "last_actions",
        "last_payoffs",
        "match_id",
        "_dtype",
        "_row",
        "_cap",
        "_limit",
        "_buf",
        "_ro",
        "_strides",
        "_record_payoffs",
        "_pay_buf",
        "_pay_w",
        "_pay_ro",
        "_pay_n",
        "_cnt",
        "_cnt_ro",
        "_cnt_n",
        "horizon",
        "noise",
        "_last_labels",
        "_label_cols",
    )

    def __init__(
        self,
        game: Game,
        capacity: int = 64,
        match_id: int | None = None,
        *,
        seat: int | None = None,
        record_payoffs: bool = False,
        limit: int | None = None,
    ):
        self.game = game.isolated_copy()
        self.seat = seat
        self.k = k = game.n_players
        self.match_id = match_id
        self.t = 0
        self.xi = 0.0
        self.last_actions: tuple[int, ...] | None = None
        self.last_payoffs: tuple[float, ...] | None = None
        self._dtype = action_dtype(game.n_actions)
        self._row = self._dtype.itemsize * k
        self._strides = game.strides
        self._record_payoffs = record_payoffs
        self._limit = limit  # the most rounds it will hold, when known: it never grows beyond
        self._cap = 0
        self._buf = bytearray()
        self._ro = np.zeros((0, k), dtype=self._dtype)
        self._pay_buf = bytearray()
        self._pay_w = self._pay_ro = np.zeros(0)
        self._pay_n = 0
        self._cnt = np.zeros((k, max(game.n_actions)), dtype=np.int64)
        self._cnt_ro = readonly_array(self._cnt, np.int64, self._cnt.shape)
        self._cnt_n = 0
        self._last_labels: tuple[int, tuple[str, ...] | None] = (-1, None)  # (round, labels) memo
        self._label_cols: list[_LabelColumn | None] | None = None  # per seat, made when first asked for
        self._grow(max(1, int(capacity)))
        # match attributes shown to strategies (set by the engine): the known length, the noise
        self.horizon: int | None = None
        self.noise = 0.0

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * self._cap, 16)
        if self._limit is not None:
            cap = max(need, min(cap, self._limit))
        buf = bytearray(cap * self._row)
        buf[: len(self._buf)] = self._buf
        self._buf = buf  # arrays handed out earlier keep the old buffer alive
        self._ro = readonly_array(buf, self._dtype, (cap, self.k))
        if self._record_payoffs or self._pay_n:
            pay = bytearray(cap * 8)
            pay[: len(self._pay_buf)] = self._pay_buf
            self._pay_buf = pay
            self._pay_w = np.frombuffer(pay, dtype=np.float64)
            self._pay_ro = readonly_array(pay, np.float64)
        self._cap = cap

    def record(self, profile: tuple[int, ...], payoffs, row: bytes | None = None) -> None:
        """Append one round (engine side): the profile played after noise and its payoff
        vector; ``row`` is the profile as bytes of the action dtype, if the caller has it."""
        t = self.t
        if t == self._cap:
            self._grow(t + 1)
        if row is None:
            row = np.asarray(profile, dtype=self._dtype).tobytes()
        r = self._row
        self._buf[t * r : t * r + r] = row
        if type(payoffs) is not tuple:
            payoffs = tuple(float(x) for x in payoffs)
        if self._record_payoffs:
            self._pay_w[t] = payoffs[self.seat]
            self._pay_n = t + 1
        self.last_actions = profile
        self.last_payoffs = payoffs
        self.t = t + 1

    # ------------------------------------------------------------ read side (views)
    def actions(self) -> np.ndarray:
        return self._ro[: self.t]

    def own_payoffs(self, seat: int) -> np.ndarray:
        t = self.t
        if self._pay_n < t:
            if not self._pay_buf:
                self._pay_n = -1  # make _grow allocate the payoff buffer
                self._grow(self._cap)
                self._pay_n = 0
            n = self._pay_n
            idx = self._ro[n:t].astype(np.int64) @ self._strides
            self._pay_w[n:t] = self.game.payoff_vectors[idx, seat]
            self._pay_n = t
        return self._pay_ro[:t]

    def last_labels(self) -> tuple[str, ...] | None:
        t, labels = self._last_labels
        if t != self.t:
            last = self.last_actions
            if last is None:
                return None
            acts = self.game.actions
            labels = tuple([acts[j][a] for j, a in enumerate(last)])
            self._last_labels = (self.t, labels)
        return labels

    def labels(self, seat: int) -> np.ndarray:
        """Seat ``seat``'s actions as labels (a read-only string array), filled in as rounds
        are added: asking every round costs only the new round."""
        cols = self._label_cols
        if cols is None:
            cols = self._label_cols = [None] * self.k
        col = cols[seat]
        if col is None:
            col = cols[seat] = _LabelColumn(self.game.actions[seat], self._limit)
        t = self.t
        if col.n < t:
            last = self.last_actions
            assert last is not None  # col.n < t: at least one round is recorded
            col.fill(self._ro[:, seat], t, last[seat])
        return col.ro[:t]

    def counts(self) -> np.ndarray:
        t = self.t
        if self._cnt_n == t - 1:  # asked every round: add the last profile
            cnt = self._cnt
            last = self.last_actions
            assert last is not None
            for j, a in enumerate(last):
                cnt[j, a] += 1
            self._cnt_n = t
        elif self._cnt_n < t:
            rows = self._ro[self._cnt_n : t]
            width = self._cnt.shape[1]
            for j in range(self.k):
                self._cnt[j] += np.bincount(rows[:, j], minlength=width)[:width]
            self._cnt_n = t
        return self._cnt_ro


class _LabelColumn:
    """One seat's actions as labels, in a buffer that grows like the history's."""

    __slots__ = ("names", "table", "limit", "buf", "w", "ro", "n")

    def __init__(self, labels: tuple[str, ...], limit: int | None):
        self.names = labels
        self.table = np.array(labels)
        self.limit = limit
        self.buf = bytearray()
        self.w = self.ro = np.zeros(0, dtype=self.table.dtype)
        self.n = 0

    def fill(self, actions: np.ndarray, t: int, last: int) -> None:
        """Add rounds ``n..t-1`` from the seat's column of actions (``last``: round t-1's)."""
        n = self.n
        if len(self.w) < t:
            size = self.table.dtype.itemsize
            cap = max(t, 2 * len(self.w), 16)
            if self.limit is not None:
                cap = max(t, min(cap, self.limit))
            buf = bytearray(cap * size)
            buf[: len(self.buf)] = self.buf
            self.buf = buf  # arrays handed out earlier keep the old buffer alive
            self.w = np.frombuffer(buf, dtype=self.table.dtype)
            self.ro = readonly_array(buf, self.table.dtype)
        if n == t - 1:
            self.w[n] = self.names[last]
        else:
            self.w[n:t] = self.table[actions[n:t]]
        self.n = t


class MatchView:
    """What seat ``seat`` may see of the match. Read-only (see the module docstring).

    Attributes and properties:

    - ``game``, ``seat``, ``n_players``, ``n_actions`` (own action count)
    - ``round``: rounds completed so far (0 in the first round)
    - ``xi``: this round's shared random number in [0, 1), the same for every seat
    - ``actions``: (round, k) array of all past actions (compact unsigned integers);
      ``my_actions``, ``actions_of(j)``, ``others_actions``
    - ``payoffs``: own past payoffs, shape (round,)
    - ``last_actions``: tuple of the last round's actions (None in round 0),
      ``last_payoff``: own payoff of the last round (None in round 0)
    - ``counts(j)``: how often seat j has played each of its actions so far
    - labels instead of indices: ``last_labels`` (the last round's actions, None in round
      0), ``opponent_last`` (two players: the other seat's last action, None in round 0),
      ``others_last`` (the other seats' last actions), ``labels_of(j)`` (seat j's actions so
      far, a string array), ``label_counts(j)`` (label -> count); ``opponent``: the other
      seat (two players)
    - ``turns``: the match length when it is fixed and revealed, else None (``prob_end``
      matches, ``reveal_length = false``, random matching); ``noise``: the noise probability
    """

    __slots__ = ("_h", "_seat")

    def __init__(self, history: History, seat: int):
        if history.seat is None:
            history.seat = seat
        self._h = history
        self._seat = seat

    @property
    def seat(self) -> int:
        return self._seat

    @property
    def game(self) -> Game:
        return self._h.game

    @property
    def n_players(self) -> int:
        return self._h.k

    @property
    def n_actions(self) -> int:
        return self._h.game.n_actions[self._seat]

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
        return self._h.actions()

    @property
    def my_actions(self) -> np.ndarray:
        return self._h.actions()[:, self._seat]

    def actions_of(self, seat: int) -> np.ndarray:
        return self._h.actions()[:, seat]

    @property
    def others(self) -> tuple[int, ...]:
        return tuple(j for j in range(self._h.k) if j != self._seat)

    @property
    def others_actions(self) -> np.ndarray:
        """(round, k-1) array of the other seats' actions, in seat order."""
        return np.delete(self.actions, self._seat, axis=1)

    @property
    def payoffs(self) -> np.ndarray:
        return self._h.own_payoffs(self._seat)

    @property
    def last_actions(self) -> tuple[int, ...] | None:
        return self._h.last_actions

    @property
    def last_payoff(self) -> float | None:
        lp = self._h.last_payoffs
        return None if lp is None else lp[self._seat]

    def counts(self, seat: int | None = None) -> np.ndarray:
        """Action counts of ``seat`` (default: own) over the rounds so far."""
        s = self._seat if seat is None else seat
        return self._h.counts()[s, : self._h.game.n_actions[s]]

    # ------------------------------------------------------------ labels
    @property
    def last_labels(self) -> tuple[str, ...] | None:
        """The last round's actions as labels, one per seat (None in round 0)."""
        return self._h.last_labels()

    @property
    def opponent(self) -> int:
        """The other seat of a two-player game."""
        if self._h.k != 2:
            raise self._not_two("opponent", "view.others (the other seats)")
        return 1 - self._seat

    @property
    def opponent_last(self) -> str | None:
        """The other seat's last action as a label, in a two-player game (None in round 0)."""
        h = self._h
        if h.k != 2:
            raise self._not_two(
                "opponent_last", "view.others_last (the other seats' last labels) or view.last_labels (every seat's)"
            )
        last = h.last_actions
        if last is None:
            return None
        other = 1 - self._seat
        return h.game.actions[other][last[other]]

    @property
    def others_last(self) -> tuple[str, ...] | None:
        """The other seats' last actions as labels, in seat order (None in round 0)."""
        labels = self._h.last_labels()
        if labels is None:
            return None
        s = self._seat
        return labels[:s] + labels[s + 1 :]

    def labels_of(self, seat: int | None = None) -> np.ndarray:
        """Seat ``seat``'s (default: own) actions so far as labels: a read-only string array
        of shape (round,), e.g. ``view.labels_of(view.opponent)[-3:]``."""
        return self._h.labels(self._seat if seat is None else self._check_seat(seat))

    def label_counts(self, seat: int | None = None) -> dict[str, int]:
        """How often seat ``seat`` (default: own) has played each of its actions so far, by
        label (every action listed, in the game's order): ``{"C": 7, "D": 3}``."""
        s = self._seat if seat is None else self._check_seat(seat)
        return dict(zip(self._h.game.actions[s], self._h.counts()[s].tolist()))

    def _check_seat(self, seat) -> int:
        if isinstance(seat, bool) or not isinstance(seat, (int, np.integer)) or not 0 <= seat < self._h.k:
            raise StrategyError(f"seat {seat!r} is not a seat of this {self._h.k}-player game (0..{self._h.k - 1})")
        return int(seat)

    def _not_two(self, what: str, instead: str) -> StrategyError:
        return StrategyError(
            f"view.{what} is for two-player games; {self._h.game.name!r} has {self._h.k} players: use {instead}"
        )

    def __repr__(self) -> str:
        return f"MatchView(seat={self.seat}, round={self.round}, game={self.game.name!r})"
