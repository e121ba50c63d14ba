"""The classic strategies (SPEC §4.1).

On the prisoner's dilemma each plays exactly as the Axelrod library's class of the same
idea (named in its docstring; pinned by tests, and cross-checked against ``axelrod`` when
it is installed). On other games see :mod:`strategies.cooperation` for what
"cooperate", "defect" and "the opponent cooperated" mean.
"""

from __future__ import annotations

import numpy as np

from .base import Strategy
from .cooperation import CooperationStrategy
from .registry import register


@register
class AlwaysCooperate(CooperationStrategy):
    """Always cooperates (Axelrod: Cooperator)."""

    name = "always_cooperate"

    def choose(self, view):
        return self.C


@register
class AlwaysDefect(CooperationStrategy):
    """Always defects (Axelrod: Defector)."""

    name = "always_defect"

    def choose(self, view):
        return self.D


@register
class Random(Strategy):
    """Cooperates with probability p (Axelrod: Random); with p unset, uniform over all own actions."""

    name = "random"

    def __init__(self, p: float | None = None, cooperate=None, defect=None):
        if p is not None and not (0.0 <= float(p) <= 1.0):
            raise ValueError(f"p must be in [0, 1], got {p!r}")
        self.p = p
        self.cooperate = cooperate
        self.defect = defect

    @property
    def is_stochastic(self) -> bool:
        return self.p not in (0, 1, 0.0, 1.0)

    def reset(self, view):
        from .cooperation import cooperation_actions

        self._n = view.n_actions
        if self.p is not None:
            self.C, self.D = cooperation_actions(view.game, view.seat, self.cooperate, self.defect)

    def choose(self, view):
        if self.p is None:
            return int(self.rng.integers(self._n))
        if self.p == 1:
            return self.C
        if self.p == 0:
            return self.D
        return self.C if self.rng.random() < self.p else self.D


@register
class TitForTat(CooperationStrategy):
    """Cooperates first, then copies the opponent's last move (Axelrod: TitForTat)."""

    name = "tit_for_tat"

    def choose(self, view):
        last = view.last_actions
        if last is None or self.others_cooperated(last):
            return self.C
        return self.D


@register
class Grim(CooperationStrategy):
    """Cooperates until the opponent defects once, then defects forever (Axelrod: Grudger)."""

    name = "grim"

    def reset(self, view):
        super().reset(view)
        self.triggered = False

    def choose(self, view):
        return self.D if self.triggered else self.C

    def observe(self, view):
        if not self.triggered and not self.others_cooperated(view.last_actions):
            self.triggered = True


@register
class WinStayLoseShift(CooperationStrategy):
    """Pavlov: repeats its move after the opponent cooperated, switches otherwise (Axelrod: WinStayLoseShift)."""

    name = "win_stay_lose_shift"

    def choose(self, view):
        last = view.last_actions
        if last is None:
            return self.C
        mine = last[view.seat]
        if self.others_cooperated(last):
            return mine
        return self.D if mine == self.C else self.C


@register
class TitForTwoTats(CooperationStrategy):
    """Defects only if the opponent defected in each of the last two rounds (Axelrod: TitFor2Tats)."""

    name = "tit_for_two_tats"

    def reset(self, view):
        super().reset(view)
        self._recent = []  # did the opponent defect, for the last two rounds

    def choose(self, view):
        return self.D if len(self._recent) == 2 and all(self._recent) else self.C

    def observe(self, view):
        self._recent = (self._recent + [not self.others_cooperated(view.last_actions)])[-2:]


@register
class TwoTitsForTat(CooperationStrategy):
    """Defects if the opponent defected in either of the last two rounds (Axelrod: TwoTitsForTat)."""

    name = "two_tits_for_tat"

    def reset(self, view):
        super().reset(view)
        self._recent = []

    def choose(self, view):
        return self.D if any(self._recent) else self.C

    def observe(self, view):
        self._recent = (self._recent + [not self.others_cooperated(view.last_actions)])[-2:]


@register
class SuspiciousTitForTat(CooperationStrategy):
    """Defects first, then copies the opponent's last move (Axelrod: SuspiciousTitForTat)."""

    name = "suspicious_tit_for_tat"

    def choose(self, view):
        last = view.last_actions
        if last is not None and self.others_cooperated(last):
            return self.C
        return self.D


@register
class GenerousTitForTat(CooperationStrategy):
    """Tit-for-tat that forgives a defection with probability p (Axelrod: GTFT).

    Default p = min(1 - (T-R)/(R-S), (R-P)/(T-P)) from the own payoffs R (all cooperate),
    S (only I cooperate), T (only I defect), P (all defect) — Axelrod's formula, 1/3 on
    its PD and 1/2 on the seed PD. Cooperates in round 0.
    """

    name = "generous_tit_for_tat"

    def __init__(self, p: float | None = None, cooperate=None, defect=None):
        super().__init__(cooperate, defect)
        if p is not None and not (0.0 <= float(p) <= 1.0):
            raise ValueError(f"p must be in [0, 1], got {p!r}")
        self.p = p

    @property
    def is_stochastic(self) -> bool:
        return self.p not in (0, 1, 0.0, 1.0)

    def reset(self, view):
        super().reset(view)
        if self.p is not None:
            self._p = float(self.p)
            return
        game, i = view.game, view.seat
        from .cooperation import cooperation_actions

        coop = [cooperation_actions(game, j, self.cooperate, self.defect) for j in range(game.n_players)]

        def u(mine, others):
            prof = [coop[j][0 if others == "C" else 1] for j in range(game.n_players)]
            prof[i] = coop[i][0 if mine == "C" else 1]
            return float(game.payoffs[tuple(prof)][i])

        R, S, T, P = u("C", "C"), u("C", "D"), u("D", "C"), u("D", "D")
        try:
            p = min(1 - (T - R) / (R - S), (R - P) / (T - P))
        except ZeroDivisionError:
            raise ValueError(
                f"cannot derive the forgiveness probability from R={R}, S={S}, T={T}, P={P}; pass p=..."
            ) from None
        self._p = float(np.clip(p, 0.0, 1.0))

    def choose(self, view):
        last = view.last_actions
        if last is None or self.others_cooperated(last):
            return self.C
        if self._p >= 1:
            return self.C
        if self._p <= 0:
            return self.D
        return self.C if self.rng.random() < self._p else self.D


@register
class Alternator(CooperationStrategy):
    """Cooperates first, then plays the opposite of its own last move (Axelrod: Alternator)."""

    name = "alternator"

    def choose(self, view):
        last = view.last_actions
        if last is None:
            return self.C
        return self.D if last[view.seat] == self.C else self.C


@register
class Cycler(Strategy):
    """Repeats a fixed pattern of actions, default "CCD" (Axelrod: Cycler).

    ``pattern`` is a list of own action labels or indices, or a string whose characters
    are own labels; the letters C and D (when not labels themselves) stand for the
    cooperate and defect actions (see :mod:`strategies.cooperation`).
    """

    name = "cycler"
    stochastic = False

    def __init__(self, pattern="CCD", cooperate=None, defect=None):
        if len(pattern) == 0:
            raise ValueError("pattern must not be empty")
        self.pattern = pattern
        self.cooperate = cooperate
        self.defect = defect

    def reset(self, view):
        from .cooperation import cooperation_actions

        game, i = view.game, view.seat
        labels = game.actions[i]
        seq = []
        for item in list(self.pattern):
            if isinstance(item, str) and item in labels:
                seq.append(labels.index(item))
            elif item in ("C", "D"):
                c, d = cooperation_actions(game, i, self.cooperate, self.defect)
                seq.append(c if item == "C" else d)
            else:
                seq.append(game.action_index(i, item))
        self._seq = seq

    def choose(self, view):
        return self._seq[view.round % len(self._seq)]


@register
class GoByMajority(CooperationStrategy):
    """Cooperates while the opponent has cooperated at least as often as it defected (Axelrod: GoByMajority).

    ``memory`` = 0 looks at the whole history, else the last ``memory`` rounds; ``soft``
    decides ties (True: cooperate).
    """

    name = "go_by_majority"

    def __init__(self, memory: int = 0, soft: bool = True, cooperate=None, defect=None):
        super().__init__(cooperate, defect)
        if int(memory) < 0:
            raise ValueError(f"memory must be >= 0, got {memory!r}")
        self.memory = memory
        self.soft = soft

    def reset(self, view):
        super().reset(view)
        self._defections = 0
        self._rounds = 0
        self._window: list[bool] = []

    def observe(self, view):
        defected = not self.others_cooperated(view.last_actions)
        if self.memory:
            self._window = (self._window + [defected])[-int(self.memory):]
        else:
            self._defections += defected
            self._rounds += 1

    def choose(self, view):
        if self.memory:
            d = sum(self._window)
            c = len(self._window) - d
        else:
            d = self._defections
            c = self._rounds - d
        if d > c:
            return self.D
        if d == c:
            return self.C if self.soft else self.D
        return self.C


@register
class Bully(CooperationStrategy):
    """Reverse tit-for-tat: defects first, then does the opposite of the opponent's last move (Axelrod: Bully)."""

    name = "bully"

    def choose(self, view):
        last = view.last_actions
        if last is not None and not self.others_cooperated(last):
            return self.C
        return self.D


@register
class Fixed(Strategy):
    """Always plays one given action (label or index)."""

    name = "fixed"
    stochastic = False

    def __init__(self, action=0):
        self.action = action

    def reset(self, view):
        self._a = view.game.action_index(view.seat, self.action)

    def choose(self, view):
        return self._a


@register
class Maximin(Strategy):
    """Plays a security (maximin) strategy: the mixed one from the LP (sampled each round), or the pure one."""

    name = "maximin"

    def __init__(self, pure: bool = False):
        self.pure = pure

    @property
    def is_stochastic(self) -> bool:
        return not self.pure

    def reset(self, view):
        game, i = view.game, view.seat
        if self.pure:
            u = np.moveaxis(game.payoffs[..., i], i, 0).reshape(game.n_actions[i], -1)
            self._pure = int(np.argmax(u.min(axis=1)))
            return
        _, x = game.security_strategy(i)
        x = np.where(x < 1e-12, 0.0, x)
        self._probs = x / x.sum()
        support = np.flatnonzero(self._probs)
        self._pure = int(support[0]) if len(support) == 1 else None

    def choose(self, view):
        if self._pure is not None:
            return self._pure
        return int(self.rng.choice(len(self._probs), p=self._probs))
