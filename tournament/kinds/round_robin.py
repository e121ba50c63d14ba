"""The ``round_robin`` kind: every k-subset of entrants (with repetition when ``self_play``) is
seated for ``repetitions`` matches; when the game is not symmetric, every distinct seat
assignment of the subset is played.

``[tournament]`` keys: ``self_play`` (also seat an entrant with copies of itself, default
false), ``cache_deterministic`` (play a deterministic, noiseless, fixed-length seating once and
reuse it, as the Axelrod library does; default true), ``turns``/``prob_end``/``noise``/
``repetitions`` as for matches. The Mesa model that runs it is
:class:`tournament.models.round_robin.RoundRobinModel`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from ..plugins import lazy_function
from ..scenario import sizes
from ..scenario.spec import Population, Scenario
from ..scenario.validation import Table
from .registry import Kind, RecordCheck, all_seats, register
from .seatings import seatings


def _parse(tt: Table, scenario: Scenario) -> dict:
    self_play = tt.get("self_play", bool, False)
    cache = tt.get("cache_deterministic", bool, True)
    k = scenario.game.n_players
    for pop in scenario.populations:
        n = len(pop.entrants)
        if not self_play and n < k:
            raise tt.error(
                f"{scenario.game.name!r} seats {k} players but population {pop.name!r} has only {n} "
                f"entrant(s); add entrants or set self_play = true",
                "self_play",
            )
    return {"self_play": self_play, "cache_deterministic": cache}


def _estimate(scenario: Scenario, population: Population, workers: int, key: str) -> tuple[list, list]:
    memory, seconds, _ = sizes.round_robin_terms(
        scenario, len(population.entrants), bool(scenario.settings.get("self_play")), workers, key
    )
    return memory, seconds


def match_checks(
    scenario: Scenario, names_of: Callable[[Population], list[str]], self_play: bool
) -> dict[str, RecordCheck]:
    """The record check of the ``play_task`` matches of a round robin among ``names_of(population)``
    (entrants, or the types of a population kind) of every population of ``scenario``."""
    from ..execution import records  # (with the run: records need the engine and the analyses)

    pops = {p.name: p for p in scenario.populations}
    game = scenario.game

    @cache
    def schedule(scope: str) -> tuple[list[str], list[tuple[int, ...]]]:
        names = names_of(pops[scope])
        return names, seatings(len(names), game.n_players, game.is_symmetric, self_play)

    return {"play_task": records.match_check(scenario, schedule)}


def _checks(scenario: Scenario) -> dict[str, RecordCheck]:
    return match_checks(
        scenario, lambda pop: [e.name for e in pop.entrants], bool(scenario.settings.get("self_play", False))
    )


register(
    Kind(
        name="round_robin",
        description="every k-subset of entrants plays `repetitions` matches (all seat orders if the game is not symmetric)",
        parse=_parse,
        run=lazy_function("tournament.models.round_robin:run"),
        seats_for=all_seats,
        estimate=_estimate,
        checks=_checks,
    )
)
