"""The ``replicator`` kind: Euler-stepped replicator dynamics ``ṡ(a) = s(a)·[EU(a, s) − EU(s)]``
(seed 002, App. F.3) on the symmetric game among the entrants' types.

The types' game is the payoff table of their repeated matches (with self-play, averaged over
seats). To run the dynamics on a stage game itself, enter one ``fixed`` strategy per action
with ``turns = 1`` (``scenarios/population_replicator_hawk_dove.toml``); from Python,
:func:`tournament.theory.dynamics.replicator` works on a game's focal table directly.

``[tournament]`` keys: ``step`` (Euler step, default 0.1), ``normalize`` (divide payoffs by
the table's payoff range so that the step is dimensionless and a step ≤ 1 keeps the shares in
the simplex; default true, as in the seed's code), ``generations`` (Euler steps, default
1000), ``tolerance``, ``shares``, ``bootstrap``, ``repetitions``/``turns``/``noise``.
"""

from __future__ import annotations

from ..plugins import lazy_function
from ..scenario.spec import Scenario
from ..scenario.validation import Table
from .population import parse_shares_dynamics, shares_estimate, type_match_checks
from .registry import Kind, all_seats, register


def _parse(tt: Table, scenario: Scenario) -> dict:
    out = parse_shares_dynamics(tt, scenario, generations=1000)
    out["step"] = tt.get("step", float, 0.1, check=lambda v: v > 0, expect="a positive number")
    out["normalize"] = tt.get("normalize", bool, True)
    return out


register(
    Kind(
        name="replicator",
        description="Euler-stepped replicator dynamics on the symmetric game among the types (seed 002 App. F.3)",
        parse=_parse,
        run=lazy_function("tournament.models.shares:run_replicator"),
        seats_for=all_seats,
        estimate=shares_estimate,
        checks=type_match_checks,
    )
)
