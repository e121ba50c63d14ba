"""Registry of tournament kinds (round robin, population dynamics, ...).

A kind is declared by a :class:`Kind`: it parses its own ``[tournament]`` keys, says which
seats an entrant may take (so that the scenario loader can check them before running),
estimates the size of a run, checks the records of its tasks read back from a checkpoint, and
runs a scenario. The built-in kinds declare themselves in the modules listed in
``tournament.kinds._KIND_MODULES``, imported by name on first use by :func:`tournament.kinds.get`
and :func:`tournament.kinds.names` (as plugins: a third-party module can call :func:`register`
too). Declarations are light — parsing a scenario loads no Mesa model —
and a kind's ``run`` lives with its Mesa model in :mod:`tournament.models`, imported when the
kind first runs (:func:`tournament.plugins.lazy_function`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..execution.options import RunOptions

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..scenario.spec import Population, Scenario
    from ..scenario.validation import Table


@dataclass
class KindResult:
    """What a tournament kind produced for one population."""

    matches: pd.DataFrame
    summary: dict
    rounds: dict[int, dict] = field(default_factory=dict)  # match_id -> per-round arrays
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # extra CSVs (e.g. shares over time)


#: ``check(scope, fields, value)``: raises ``CheckpointError`` unless ``value`` is a genuine
#: result of the task ``fields`` of population ``scope`` (see ``tournament.execution.records``)
RecordCheck = Callable[[str, dict, Any], None]


@dataclass
class Kind:
    """A tournament kind. ``estimate(scenario, population, workers, key)`` gives the memory and
    time terms of one population's run (see ``tournament.scenario.sizes``; None: no estimate);
    ``checks(scenario)`` the record check of each task function the kind runs, by name (None:
    its checkpoints are not read back)."""

    name: str
    description: str
    parse: Callable[[Table, Scenario], dict]
    run: Callable[[Scenario, RunOptions], KindResult]
    seats_for: Callable[[Scenario, Population], Callable[[int], Iterable[int]]]
    estimate: Callable[[Scenario, Population, int, str], tuple[list, list]] | None = None
    checks: Callable[[Scenario], dict[str, RecordCheck]] | None = None


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def registered() -> dict[str, Kind]:
    """The kinds registered so far (without loading the built-in ones: see ``tournament.kinds``)."""
    return _KINDS


def all_seats(scenario: Scenario, population: Population) -> Callable[[int], Iterable[int]]:
    """Default: any entrant may sit in any seat."""
    k = scenario.game.n_players
    return lambda idx: range(k)
