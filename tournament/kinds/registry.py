"""Registry of tournament kinds (round robin, population dynamics, ...).

A kind parses its own ``[tournament]`` keys, says which seats an entrant may take (so the
scenario loader can check them before running), and runs a scenario. Kinds register
themselves from their modules, listed in ``_KIND_MODULES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

import pandas as pd

from .plugins import import_modules

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Population, Scenario
    from .validation import Table

_KIND_MODULES = ("tournament.roundrobin", "tournament.population")


@dataclass
class RunOptions:
    """How to run (not what): never changes the results."""

    workers: int = 1
    progress: bool = False
    out: str | None = None
    backend: str = "processes"  # "processes" (workers local processes) or "dask"
    scheduler: str | None = None  # Dask scheduler address; None starts a LocalCluster
    checkpoint: Any = None  # tournament.checkpoint.Checkpoint while writing to `out`
    scope: str = ""  # checkpoint namespace (the population's name)
    sink: Any = None  # tournament.outputs.MatchStream writing this population's match rows
    engine: str = "auto"  # "auto": automaton matches on the batch engine; "python": every match per round


@dataclass
class KindResult:
    """What a tournament kind produced for one population."""

    matches: pd.DataFrame
    summary: dict
    rounds: dict[int, dict] = field(default_factory=dict)  # match_id -> per-round arrays
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # extra CSVs (e.g. shares over time)


@dataclass
class Kind:
    name: str
    description: str
    parse: Callable[["Table", "Scenario"], dict]
    run: Callable[["Scenario", RunOptions], KindResult]
    seats_for: Callable[["Scenario", "Population"], Callable[[int], Iterable[int]]]


_KINDS: dict[str, Kind] = {}
_LOADED = False

# Parsers of extra top-level scenario tables (e.g. "sweep"): key -> parser(table, scenario)
TOP_LEVEL_TABLES: dict[str, Callable[["Table", "Scenario"], Any]] = {}


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


def all_seats(scenario: "Scenario", population: "Population") -> Callable[[int], Iterable[int]]:
    """Default: any entrant may sit in any seat."""
    k = scenario.game.n_players
    return lambda idx: range(k)
