"""The ``ib_haggler`` strategy: infra-Bayesian haggling (seed 001, SPEC §4.4).

Each time the current hypothesis is falsified (and at round 0):

1. C = the hypotheses not yet falsified;
2. C_opt = those in C with the highest value V_γ(h, s_h) at their current state s_h
   (ties within 1e-9);
3. sample h ∝ ζ restricted to C_opt with the seat's own generator;
4. play π_h from s_h until h is falsified.

Every hypothesis's state is tracked from round 0 whatever hypothesis is in use:
:class:`Tracker` keeps the consistent ones as an array of their current rows (see
:mod:`.space`) that only shrinks — one gather per round.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import numpy as np

from ..base import Strategy
from ..registry import register
from . import cache, config
from .config import DEFAULT_MAX_HYPOTHESES
from .hypotheses import KINDS, SeatGame
from .space import HypothesisSpace

TIE_TOLERANCE = 1e-9
"""Values within this of the best count as tied for the best (SPEC §4.4)."""


class Tracker:
    """The consistent hypotheses of one agent and their current states (rows), vectorised.

    ``rows`` holds the current row of every consistent hypothesis, in increasing hypothesis
    order (so hypotheses in the same state of a block read neighbouring memory); an observation maps each through ``next_rows[a·O + o]`` and drops those that
    map to −1 (falsified). The set only ever shrinks.
    """

    __slots__ = ("space", "rows", "n_obs")

    def __init__(self, space: HypothesisSpace):
        self.space = space
        self.rows = space.start_rows.copy()
        self.n_obs = space.sg.n_obs

    def __len__(self) -> int:
        return len(self.rows)

    def update(self, action: int, obs: int) -> int:
        """Advance every consistent hypothesis by one round; returns how many were falsified."""
        nxt = self.space.next_rows[action * self.n_obs + obs].take(self.rows)
        if nxt.min() < 0:  # ⊤ never falls, so the array never empties
            keep = nxt >= 0
            self.rows = nxt[keep]
            return int(len(keep) - len(self.rows))
        self.rows = nxt
        return 0

    def ids(self) -> np.ndarray:
        """Ids of the consistent hypotheses (increasing)."""
        return self.space.owner.take(self.rows)

    def state_of(self, h: int) -> int | None:
        """Current local state of hypothesis h, or None if it is falsified."""
        ids = self.ids()
        i = np.searchsorted(ids, h)
        if i < len(ids) and ids[i] == h:
            return self.space.local_state(h, int(self.rows[i]))
        return None


@register
class IBHaggler(Strategy):
    """Infra-Bayesian haggler (seed 001): test the best unfalsified sharp infra-RDP hypothesis.

    Hypotheses (SPEC §4.4): ⊤, constants, deterministic automata up to ``max_automaton``
    states, password hypotheses h_{p,l} (passwords up to ``max_password`` own actions,
    loops up to ``max_loop`` (own action, observation) pairs, every rotation separate) and
    custom tables. Prior ζ ∝ w_class·2^(−K(h)) (see :mod:`strategies.haggler.priors`).

    Parameters:

    - ``prior``: preset name — ``"default"``, ``"ambitious"``, ``"cautious"``;
    - ``gamma``: discount factor of the values V_γ (0 < γ < 1);
    - ``max_password`` (N), ``max_loop`` (M), ``max_automaton`` (m): sizes (default: the
      preset's, shrunk to fit ``max_hypotheses`` in large games; explicit values that do
      not fit are an error);
    - ``classes``: enabled classes among top, constant, automaton, password, custom;
    - ``class_weights``: {class: weight} multipliers w_class; ``password_mass``: share of
      the prior on password hypotheses;
    - ``weight``: user weight function (callable or ``"module:function"`` /
      ``"file.py:function"``) called with the catalog DataFrame, returning multipliers;
    - ``custom``: list of custom hypothesis tables (or ``Hypothesis`` objects);
      ``custom_file``: a TOML file of ``[[hypotheses]]`` tables;
    - ``max_hypotheses``: size limit of the space; ``prune``: drop hypotheses never worth
      more than ⊤.

    Traces per round: ``demand`` (V_γ of the hypothesis in use at its current state),
    ``hypothesis`` (its id), ``hypothesis_class``, ``consistent`` (|C|). ``switches``
    lists (round, old id, new id, demand) of every choice; ``describe(id)`` renders a
    hypothesis.
    """

    name = "ib_haggler"
    stochastic = True
    path_params: ClassVar[tuple[str, ...]] = ("custom_file", "weight")

    def __init__(
        self,
        prior: str = "default",
        gamma: float = 0.99,
        max_password: int | None = None,
        max_loop: int | None = None,
        max_automaton: int | None = None,
        classes: list[str] | None = None,
        class_weights: dict[str, float] | None = None,
        password_mass: float | None = None,
        weight: Callable | str | None = None,
        custom: list[Any] | None = None,
        custom_file: str | None = None,
        max_hypotheses: int = DEFAULT_MAX_HYPOTHESES,
        prune: bool = True,
    ):
        self.prior = prior
        self.gamma = gamma
        self.max_password = max_password
        self.max_loop = max_loop
        self.max_automaton = max_automaton
        self.classes = classes
        self.class_weights = class_weights
        self.password_mass = password_mass
        self.weight = weight
        self.custom = custom
        self.custom_file = custom_file
        self.max_hypotheses = max_hypotheses
        self.prune = prune
        self.settings = config.settings(
            prior, gamma, max_password, max_loop, max_automaton, classes, class_weights, password_mass,
            weight, custom, custom_file, max_hypotheses, prune,
        )

    # ------------------------------------------------------------ preparation
    def check(self, game, seat: int) -> None:
        """Cheap validation for the scenario loader: custom tables, sizes, weight function."""
        config.resolve(self.settings, SeatGame.of(game, seat))

    def prepare(self, game, seat: int) -> cache.Prepared:
        """The (cached) solved space and prior for this seat of this game."""
        sg = SeatGame.of(game, seat)
        res = config.resolve(self.settings, sg)
        return cache.prepared(sg, res, self.settings.weight_key())

    def reset(self, view) -> None:
        prep = self.prepare(view.game, view.seat)
        self.prepared = prep
        self.space = prep.space
        self.sg = SeatGame.of(view.game, view.seat)  # own seat (a cached space may come from another seat)
        self._values = prep.solved.values
        self._policy = prep.solved.policy
        self.tracker = Tracker(prep.space)
        self.current: int | None = None
        self._row = -1  # current row of the hypothesis in use (−1: must choose)
        self.switches: list[tuple[int, int | None, int, float]] = []
        self._seat = view.seat
        self._others = self.sg.others
        self._strides = self.sg.other_strides

    # ------------------------------------------------------------ the algorithm
    def _choose_hypothesis(self, round_: int) -> None:
        rows = self.tracker.rows
        vals = self._values.take(rows)
        best = vals.max()
        cand = np.flatnonzero(vals >= best - TIE_TOLERANCE)
        if len(cand) == 1:
            pick = int(cand[0])
        else:
            ids = self.space.owner.take(rows[cand])
            w = np.cumsum(self.prepared.zeta.take(ids))
            pick = int(cand[min(int(np.searchsorted(w, self.rng.random() * w[-1], side="right")), len(cand) - 1)])
        row = int(rows[pick])
        new = int(self.space.owner[row])
        self.switches.append((round_, self.current, new, float(self._values[row])))
        self.current = new
        self._row = row

    def choose(self, view) -> int:
        if self._row < 0:
            self._choose_hypothesis(view.round)
        row = self._row
        self.expose("demand", float(self._values[row]))
        self.expose("hypothesis", self.current)
        self.expose("hypothesis_class", KINDS[int(self.space.kind[self.current])])
        self.expose("consistent", len(self.tracker))
        return int(self._policy[row])

    def observe(self, view) -> None:
        last = view.last_actions
        a = last[self._seat]
        o = 0
        for j, s in zip(self._others, self._strides):
            o += last[j] * s
        self.tracker.update(a, o)
        if self._row >= 0:
            self._row = int(self.space.next_rows[a * self.sg.n_obs + o, self._row])

    # ------------------------------------------------------------ inspection
    def describe(self, h: int | None = None) -> str:
        """One line for hypothesis ``h`` (default: the one in use)."""
        h = self.current if h is None else h
        if h is None:
            return "no hypothesis chosen yet"
        return self.space.describe(int(h))

    @property
    def demand(self) -> float | None:
        """V_γ of the hypothesis in use at its current state."""
        return None if self._row < 0 else float(self._values[self._row])

    def space_info(self) -> dict:
        """Sizes, N/M/m actually used, solver figures of this seat's space."""
        return dict(self.prepared.solved.info)
