"""The ``replicator`` kind: Euler-stepped replicator dynamics ``ṡ(a) = s(a)·[EU(a, s) − EU(s)]``
(seed 002, App. F.3) on the symmetric game among the entrants' types.

The types' game is the payoff table of their repeated matches (with self-play, averaged over
seats). To run the dynamics on a stage game itself, enter one ``fixed`` strategy per action
with ``turns = 1`` (``scenarios/population_replicator_hawk_dove.toml``); from Python,
:func:`tournament.population.dynamics.replicator` works on a game's focal table directly.

``[tournament]`` keys: ``step`` (Euler step, default 0.1), ``normalize`` (divide payoffs by
the table's payoff range so that the step is dimensionless and a step ≤ 1 keeps the shares in
the simplex; default true, as in the seed's code), ``generations`` (Euler steps, default
1000), ``tolerance``, ``shares``, ``bootstrap``, ``repetitions``/``turns``/``noise``.
"""

from __future__ import annotations

import numpy as np

from .. import kinds
from ..scenario import Scenario
from ..validation import Table
from .common import SharesModel, parse_shares_dynamics, run_with
from .dynamics import payoff_span, replicator_step
from .multisets import FocalPayoffs


class ReplicatorModel(SharesModel):
    """Euler replicator dynamics on the type payoff table; agents are the types."""

    kind = "replicator"

    def update(self, focal: FocalPayoffs, x: np.ndarray) -> np.ndarray:
        # the point estimate's range scales every (bootstrap) table alike
        scale = 1.0 / float(payoff_span(self.focal)) if self.settings["normalize"] else 1.0
        return replicator_step(focal, x, self.settings["step"], scale)


def _parse(tt: Table, scenario: Scenario) -> dict:
    out = parse_shares_dynamics(tt, scenario, generations=1000)
    out["step"] = tt.get("step", float, 0.1, check=lambda v: v > 0, expect="a positive number")
    out["normalize"] = tt.get("normalize", bool, True)
    return out


kinds.register(kinds.Kind(
    name="replicator",
    description="Euler-stepped replicator dynamics on the symmetric game among the types (seed 002 App. F.3)",
    parse=_parse,
    run=run_with(ReplicatorModel),
    seats_for=kinds.all_seats,
))
