"""The ``ecological`` kind: discrete-generation replicator over the entrants' match payoffs.

Like the Axelrod library's ``Ecosystem``, but for k-player games too: each generation a
type's fitness is ``b + EU(t, x)``, its expected payoff per round when its k−1 co-players are
drawn independently from the current shares x (for k = 2 that is the share-weighted row of
the round-robin payoff matrix), and ``x'(t) = x(t)·fitness(t) / mean fitness``. ``b`` is the
``background_fitness`` (must make every fitness non-negative).

``[tournament]`` keys: ``generations`` (default 100), ``tolerance`` (stop when no share moves
more than this, default 1e-12), ``background_fitness`` (default 0), ``shares``, ``bootstrap``
(resamples of the match repetitions for the final-share intervals, default 200),
``repetitions``/``turns``/``noise`` as for matches.
"""

from __future__ import annotations

from ..plugins import lazy_function
from ..scenario.spec import Scenario
from ..scenario.validation import Table
from .population import parse_shares_dynamics, shares_estimate, type_match_checks
from .registry import Kind, all_seats, register


def _parse(tt: Table, scenario: Scenario) -> dict:
    out = parse_shares_dynamics(tt, scenario, generations=100)
    b = tt.get("background_fitness", float, 0.0)
    low = float(scenario.game.payoffs.min())
    if low + b < 0:
        raise tt.error(
            f"fitness = background_fitness + payoff must not be negative, but the game's lowest payoff is {low:g}; "
            f"set background_fitness to at least {0.0 - low:g}",
            "background_fitness",
        )
    out["background_fitness"] = b
    return out


register(
    Kind(
        name="ecological",
        description="discrete replicator over the types' round-robin payoffs (k-player: co-players drawn from the shares)",
        parse=_parse,
        run=lazy_function("tournament.models.shares:run_ecological"),
        seats_for=all_seats,
        estimate=shares_estimate,
        checks=type_match_checks,
    )
)
