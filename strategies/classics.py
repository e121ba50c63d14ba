"""The classic strategies (README "Strategies"; on the PD as the Axelrod library defines them).

On the prisoner's dilemma each plays exactly as the Axelrod library's class of the same
idea (named in its docstring; pinned by tests, and cross-checked against ``axelrod`` when
it is installed). On other games see :mod:`strategies.cooperation` for what
"cooperate", "defect" and "the opponent cooperated" mean.
"""

from __future__ import annotations

import bisect

import numpy as np

from .automaton import Automaton, fixed
from .base import Strategy
from .cooperation import CooperationStrategy, cooperation_actions
from .registry import register

GO_BY_MAJORITY_MAX_STATES = 1 << 15
"""Largest automaton :class:`GoByMajority` declares (its state counts rounds)."""


def _coop(strategy, game, seat: int):
    """For automaton declarations: own cooperate/defect actions, whether every other seat
    cooperated at each profile, and the own action at each profile."""
    pairs = [cooperation_actions(game, j, strategy.cooperate, strategy.defect) for j in range(game.n_players)]
    prof = game.profile_array
    others_c = np.ones(game.n_profiles, dtype=bool)
    for j, (c, _) in enumerate(pairs):
        if j != seat:
            others_c &= prof[:, j] == c
    c, d = pairs[seat]
    return c, d, others_c, prof[:, seat].astype(np.int64)


def _reactive(outputs, on_coop, on_defect, others_c, start: int = 0) -> Automaton:
    """An automaton whose next state depends on its state and on whether the others cooperated:
    ``on_coop[s]`` / ``on_defect[s]`` are the next states."""
    table = np.where(others_c[None, :], np.array(on_coop)[:, None], np.array(on_defect)[:, None])
    return Automaton.build(outputs, table, start)


@register
class AlwaysCooperate(CooperationStrategy):
    """Always cooperates (Axelrod: Cooperator)."""

    name = "always_cooperate"

    def automaton(self, game, seat, horizon=None):
        return fixed(_coop(self, game, seat)[0], game)

    def choose(self, view):
        return self.C


@register
class AlwaysDefect(CooperationStrategy):
    """Always defects (Axelrod: Defector)."""

    name = "always_defect"

    def automaton(self, game, seat, horizon=None):
        return fixed(_coop(self, game, seat)[1], game)

    def choose(self, view):
        return self.D


@register
class Random(Strategy):
    """Cooperates with probability p (Axelrod: Random); with p unset, uniform over all own actions.

    One draw u per round from the seat's generator: with p, it cooperates if u < p; without,
    it plays action j = the number of thresholds 1/n, 2/n, ... that are <= u (n own actions).
    """

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

    def _outcomes(self, game, seat):
        """(actions, thresholds) of the draw rule (see strategies.automaton)."""
        if self.p is None:
            n = game.n_actions[seat]
            return list(range(n)), (np.arange(1, n) / n).tolist()
        c, d = cooperation_actions(game, seat, self.cooperate, self.defect)
        if self.p == 1:
            return [c], []
        if self.p == 0:
            return [d], []
        return [c, d], [float(self.p)]

    def automaton(self, game, seat, horizon=None):
        acts, thr = self._outcomes(game, seat)
        return Automaton.build([("thresholds", acts, thr)], np.zeros((1, game.n_profiles), dtype=np.int64))

    def reset(self, view):
        self._acts, self._thr = self._outcomes(view.game, view.seat)

    def choose(self, view):
        if not self._thr:
            return self._acts[0]
        return self._acts[bisect.bisect_right(self._thr, self.rng.random())]


@register
class TitForTat(CooperationStrategy):
    """Cooperates first, then copies the opponent's last move (Axelrod: TitForTat)."""

    name = "tit_for_tat"

    def automaton(self, game, seat, horizon=None):
        c, d, oc, _ = _coop(self, game, seat)
        return _reactive([c, d], [0, 0], [1, 1], oc)

    def choose(self, view):
        last = view.last_actions
        if last is None or self.others_cooperated(last):
            return self.C
        return self.D


@register
class Grim(CooperationStrategy):
    """Cooperates until the opponent defects once, then defects forever (Axelrod: Grudger)."""

    name = "grim"

    def automaton(self, game, seat, horizon=None):
        c, d, oc, _ = _coop(self, game, seat)
        return _reactive([c, d], [0, 1], [1, 1], oc)

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

    def automaton(self, game, seat, horizon=None):
        # state = the own action to play next
        c, d, oc, own = _coop(self, game, seat)
        nxt = np.where(oc, own, np.where(own == c, d, c))
        n = game.n_actions[seat]
        return Automaton.build(list(range(n)), np.broadcast_to(nxt, (n, game.n_profiles)), start=c)

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

    def automaton(self, game, seat, horizon=None):
        # state = consecutive defections seen, up to 2
        c, d, oc, _ = _coop(self, game, seat)
        return _reactive([c, c, d], [0, 0, 0], [1, 2, 2], oc)

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

    def automaton(self, game, seat, horizon=None):
        # 0: no defection in the last two rounds, 1: one last round, 2: one the round before
        c, d, oc, _ = _coop(self, game, seat)
        return _reactive([c, d, d], [0, 2, 0], [1, 1, 1], oc)

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

    def automaton(self, game, seat, horizon=None):
        c, d, oc, _ = _coop(self, game, seat)
        return _reactive([c, d], [0, 0], [1, 1], oc, start=1)

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
    # it draws from its generator to forgive (the base class says deterministic); only p = 0 or
    # p = 1, given explicitly, makes an instance deterministic (see is_stochastic)
    stochastic = True

    def __init__(self, p: float | None = None, cooperate=None, defect=None):
        super().__init__(cooperate, defect)
        if p is not None and not (0.0 <= float(p) <= 1.0):
            raise ValueError(f"p must be in [0, 1], got {p!r}")
        self.p = p

    @property
    def is_stochastic(self) -> bool:
        """True unless p is 0 or 1 (the default p, derived per game, is taken to be random)."""
        return self.p not in (0, 1, 0.0, 1.0)

    def automaton(self, game, seat, horizon=None):
        c, d, oc, _ = _coop(self, game, seat)
        p = self._forgiveness(game, seat)
        # after a defection: forgive iff u < p (the draw rule with the threshold p itself)
        forgive = c if p >= 1 else d if p <= 0 else ("thresholds", [c, d], [p])
        return _reactive([c, forgive], [0, 0], [1, 1], oc)

    def reset(self, view):
        super().reset(view)
        self._p = self._forgiveness(view.game, view.seat)

    def _forgiveness(self, game, i: int) -> float:
        if self.p is not None:
            return float(self.p)
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
        return float(np.clip(p, 0.0, 1.0))

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

    def automaton(self, game, seat, horizon=None):
        c, d, _, own = _coop(self, game, seat)
        nxt = np.where(own == c, 1, 0)
        return Automaton.build([c, d], np.broadcast_to(nxt, (2, game.n_profiles)))

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
        self._seq = self._sequence(view.game, view.seat)

    def automaton(self, game, seat, horizon=None):
        seq = self._sequence(game, seat)
        nxt = (np.arange(len(seq)) + 1) % len(seq)
        return Automaton.build(seq, np.broadcast_to(nxt[:, None], (len(seq), game.n_profiles)))

    def _sequence(self, game, i: int) -> list[int]:
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
        return seq

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

    def automaton(self, game, seat, horizon=None):
        c, d, oc, _ = _coop(self, game, seat)
        tie = c if self.soft else d
        if not self.memory:
            # state = defections minus cooperations seen so far, -h..h (h = horizon)
            if horizon is None or 2 * horizon + 1 > GO_BY_MAJORITY_MAX_STATES:
                return None
            h = int(horizon)
            diff = np.arange(-h, h + 1)
            outputs = np.where(diff > 0, d, np.where(diff == 0, tie, c)).tolist()
            up, down = np.minimum(np.arange(2 * h + 1) + 1, 2 * h), np.maximum(np.arange(2 * h + 1) - 1, 0)
            return _reactive(outputs, down, up, oc, start=h)
        # state = the window of the last `memory` rounds (did the others defect?), shorter at first
        m = int(self.memory)
        if (1 << (m + 1)) > GO_BY_MAJORITY_MAX_STATES:
            return None
        windows: list[tuple[int, ...]] = [()]
        for length in range(1, m + 1):
            windows += [tuple((w >> i) & 1 for i in reversed(range(length))) for w in range(1 << length)]
        index = {w: i for i, w in enumerate(windows)}
        outputs = []
        for w in windows:
            dd = sum(w)
            cc = len(w) - dd
            outputs.append(d if dd > cc else tie if dd == cc else c)
        on_c = [index[(w + (0,))[-m:]] for w in windows]
        on_d = [index[(w + (1,))[-m:]] for w in windows]
        return _reactive(outputs, on_c, on_d, oc)

    def reset(self, view):
        super().reset(view)
        self._defections = 0
        self._rounds = 0
        self._window: list[bool] = []

    def observe(self, view):
        defected = not self.others_cooperated(view.last_actions)
        if self.memory:
            self._window = (self._window + [defected])[-int(self.memory) :]
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

    def automaton(self, game, seat, horizon=None):
        c, d, oc, _ = _coop(self, game, seat)
        return _reactive([d, c], [0, 0], [1, 1], oc)

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

    def automaton(self, game, seat, horizon=None):
        return fixed(game.action_index(seat, self.action), game)

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
        self._pure, self._probs = self._plan(view.game, view.seat)

    def _plan(self, game, i: int):
        """(the pure action, or None) and the mixed strategy's probabilities."""
        if self.pure:
            u = np.moveaxis(game.payoffs[..., i], i, 0).reshape(game.n_actions[i], -1)
            return int(np.argmax(u.min(axis=1))), None
        _, x = game.security_strategy(i)
        x = np.where(x < 1e-12, 0.0, x)
        probs = x / x.sum()
        support = np.flatnonzero(probs)
        return (int(support[0]) if len(support) == 1 else None), probs

    def automaton(self, game, seat, horizon=None):
        pure, probs = self._plan(game, seat)
        if pure is not None:
            return fixed(pure, game)
        cdf = probs.cumsum()
        cdf /= cdf[-1]  # exactly what Generator.choice does with p=
        out = ("thresholds", list(range(len(probs))), cdf[:-1].tolist())
        return Automaton.build([out], np.zeros((1, game.n_profiles), dtype=np.int64))

    def choose(self, view):
        if self._pure is not None:
            return self._pure
        return int(self.rng.choice(len(self._probs), p=self._probs))
