"""Registry of tournament kinds (round robin, population dynamics, ...).

A kind is declared by a :class:`Kind`: it parses its own ``[tournament]`` keys, says which
seats an entrant may take (so that the scenario loader can check them before running),
estimates the size of a run, checks the records of its tasks read back from a checkpoint, and
runs a scenario. The built-in kinds declare themselves in the modules listed in
``_KIND_MODULES``, imported by name on first use (as plugins: a third-party module can call
:func:`register` too). Declarations are light — parsing a scenario loads no Mesa model —
and a kind's ``run`` lives with its Mesa model in :mod:`tournament.models`, imported when the
kind first runs (:func:`tournament.plugins.lazy_function`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..plugins import import_modules

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..scenario.spec import Population, Scenario
    from ..scenario.validation import Table

#: the modules declaring the built-in kinds, in the order the kinds are listed
_KIND_MODULES = (
    "tournament.kinds.round_robin",
    "tournament.kinds.ecological",
    "tournament.kinds.moran",
    "tournament.kinds.random_matching",
    "tournament.kinds.replicator",
)


@dataclass
class RunOptions:
    """How to run (not what): never changes the results."""

    workers: int = 1
    progress: bool = False
    out: str | None = None
    backend: str = "processes"  # "processes" (workers local processes) or "dask"
    scheduler: str | None = None  # Dask scheduler address; None starts a LocalCluster
    checkpoint: Any = None  # tournament.execution.checkpoint.Checkpoint while writing to `out`
    scope: str = ""  # checkpoint namespace (the population's name)
    sink: Any = None  # tournament.results.outputs.MatchStream writing this population's match rows
    engine: str = "auto"  # "auto": automaton matches on the batch engine; "python": every match per round


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
_LOADED = False


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import_modules(_KIND_MODULES)


def names() -> list[str]:
    _load()
    return list(_KINDS)


def get(name: str) -> Kind:
    _load()
    return _KINDS[name]


def all_seats(scenario: Scenario, population: Population) -> Callable[[int], Iterable[int]]:
    """Default: any entrant may sit in any seat."""
    k = scenario.game.n_players
    return lambda idx: range(k)
