"""The ``ib_haggler`` strategy: infra-Bayesian haggling (seed 001; docs/haggler.md).

Each time the current hypothesis is falsified (and at round 0):

1. C = the hypotheses not yet falsified;
2. C_opt = those in C with the highest value V_γ(h, s_h) at their current state s_h
   (ties within :attr:`~.hypotheses.SeatGame.tolerance`, 1e-12 of the value scale);
3. sample h ∝ ζ restricted to C_opt with the seat's own generator;
4. play an optimal policy π_h from s_h until h is falsified. Where several actions are
   equally good, ``tie_break = "random"`` (the default) draws π_h uniformly among the
   optimal stationary policies — each state's action uniform among its equally good
   actions, drawn from the seat's own generator the first time h visits the state and kept
   while h is in use; ``"first"`` takes the lowest action index (the behaviour before
   random tie-breaking, kept to reproduce earlier results).

Every hypothesis's state is tracked from round 0 whatever hypothesis is in use:
:class:`Tracker` keeps the consistent ones as an array of their current rows (see
:mod:`.space`) that only shrinks — one gather per round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from ..base import Strategy
from ..registry import register
from . import cache, config
from .config import DEFAULT_MAX_HYPOTHESES
from .hypotheses import KINDS, SeatGame
from .space import HypothesisSpace

TIE_BREAKS = ("random", "first")

MECHANISMS = ("top", "constant", "automaton", "loop", "password", "custom")
"""Hypothesis classes as the mechanism column reports them: a password hypothesis with an
empty password is a ``loop``."""


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

    Hypotheses (docs/haggler.md): ⊤, constants, deterministic automata up to ``max_automaton``
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
      more than ⊤;
    - ``tie_break``: ``"random"`` (uniform among equally good actions, from the seat's own
      generator) or ``"first"`` (lowest action index).

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
        tie_break: str = "random",
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
        if tie_break not in TIE_BREAKS:
            raise ValueError(f"tie_break: expected one of {list(TIE_BREAKS)}, got {tie_break!r}")
        self.tie_break = tie_break
        self.settings = config.settings(
            prior,
            gamma,
            max_password,
            max_loop,
            max_automaton,
            classes,
            class_weights,
            password_mass,
            weight,
            custom,
            custom_file,
            max_hypotheses,
            prune,
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
        self._ties = prep.solved.ties
        self._tol = self.sg.tolerance
        self._random = self.tie_break == "random"
        self._drawn: dict[int, int] = {}  # row -> action drawn for the hypothesis in use
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
        cand = np.flatnonzero(vals >= best - self._tol)
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
        self._drawn = {}

    def _action(self, row: int) -> int:
        """π_h at ``row``: the lowest equally good action ("first"), or one drawn uniformly
        among them when h first visits the row and kept while h is in use ("random")."""
        if not self._random:
            return int(self._policy[row])
        a = self._drawn.get(row)
        if a is None:
            tied = np.flatnonzero(self._ties[row])
            a = int(tied[0]) if len(tied) == 1 else int(tied[self.rng.integers(len(tied))])
            self._drawn[row] = a
        return a

    def choose(self, view) -> int:
        if self._row < 0:
            self._choose_hypothesis(view.round)
        row = self._row
        self.expose("demand", float(self._values[row]))
        self.expose("hypothesis", self.current)
        self.expose("hypothesis_class", KINDS[int(self.space.kind[self.current])])
        self.expose("consistent", len(self.tracker))
        return self._action(row)

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

    def mechanism_class(self, h: int) -> str:
        """Hypothesis ``h``'s class as the mechanism column names it (:data:`MECHANISMS`)."""
        kind = KINDS[int(self.space.kind[h])]
        if kind == "password" and int(self.space.password_length[h]) == 0:
            return "loop"
        return kind

    def mechanism(self, start: int) -> str:
        """The classes of the hypotheses followed from round ``start`` to the end of the match,
        in order, repeats merged and joined by ``>`` (e.g. ``password``, ``password>top``).

        The match's row uses it with ``start`` = the onset of the stable cycle: the class
        that held the settled play in place (see docs/haggler.md, "Mechanism")."""
        rounds = [s[0] for s in self.switches]
        first = max(0, int(np.searchsorted(rounds, start, side="right")) - 1)
        out: list[str] = []
        for _, _, h, _ in self.switches[first:]:
            c = self.mechanism_class(h)
            if not out or out[-1] != c:
                out.append(c)
        return ">".join(out)

    @property
    def demand(self) -> float | None:
        """V_γ of the hypothesis in use at its current state."""
        return None if self._row < 0 else float(self._values[self._row])

    def setup_summary(self, game, seat: int) -> dict:
        """What this haggler's hypothesis space is at ``seat`` of ``game``, for the run's
        summary: sizes used and nominal (preset or explicit), the budget cut if any, and the
        number of hypotheses per class as generated (before the agent drops those never worth
        more than ⊤). Cheap: nothing is built or solved."""
        from .space import estimate_size

        sg = SeatGame.of(game, seat)
        res = config.resolve(self.settings, sg)
        est = estimate_size(sg, res.space)
        cut = res.cut
        return {
            "prior": self.prior,
            "tie_break": self.tie_break,
            "gamma": self.gamma,
            **{k: getattr(res.space, k) for k in config.SIZES},
            "cut": ", ".join(f"{k} {a} → {b}" for k, (a, b) in cut.items()),
            "max_hypotheses": res.limit,
            "hypotheses": est["hypotheses"],
            "by_class": est["by_class"],
        }

    def space_info(self) -> dict:
        """Sizes, N/M/m actually used, solver figures of this seat's space."""
        return dict(self.prepared.solved.info)
