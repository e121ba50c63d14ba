"""What a scenario is, once loaded: a :class:`Scenario`, its populations (:class:`Population`)
of entrants (:class:`EntrantSpec`) and its :class:`MatchSettings` — plain dataclasses; loading
and validating a file is :mod:`.load`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import strategies as strategies_pkg
from strategies.base import Strategy

from ..errors import ScenarioError
from ..game import Game
from ..jsonable import jsonable


@dataclass
class EntrantSpec:
    """One entrant: a strategy reference, its parameters and a display name.

    Picklable (the reference is a string or an importable class), so worker processes
    rebuild the strategy themselves with :meth:`build`.
    """

    strategy: str | type
    name: str
    params: dict = field(default_factory=dict)
    base_dir: str | None = None
    # display name of the [[entrants]] table this spec came from: the copies made by
    # ``count`` share it (population kinds treat them as individuals of one type)
    type_name: str | None = None

    def build(self) -> Strategy:
        return strategies_pkg.build(self.strategy, self.params, self.base_dir, label=self.name)

    def strategy_class(self) -> type[Strategy]:
        return strategies_pkg.resolve(self.strategy, self.base_dir)

    def to_dict(self) -> dict:
        ref = (
            self.strategy
            if isinstance(self.strategy, str)
            else f"{self.strategy.__module__}:{self.strategy.__qualname__}"
        )
        return {"name": self.name, "strategy": ref, "params": jsonable(self.params)}


@dataclass
class Population:
    """A named list of entrants (a scenario has one, or several to compare)."""

    name: str
    entrants: list[EntrantSpec]


@dataclass
class MatchSettings:
    turns: int | None = 200
    prob_end: float | None = None
    noise: float = 0.0
    reveal_length: bool = True  # strategies see a fixed match length as view.turns

    def to_dict(self) -> dict:
        return {
            "turns": self.turns,
            "prob_end": self.prob_end,
            "noise": self.noise,
            "reveal_length": self.reveal_length,
        }


@dataclass
class Scenario:
    name: str
    game: Game
    populations: list[Population]
    kind: str = "round_robin"
    match: MatchSettings = field(default_factory=MatchSettings)
    repetitions: int = 1
    seed: int = 0
    seed_given: bool = True
    description: str = ""
    settings: dict = field(default_factory=dict)  # kind-specific [tournament] settings
    report: dict = field(default_factory=dict)
    analysis: dict = field(default_factory=dict)  # [analysis]: match_columns settings
    # [tournament] on_error, time_limit (part of the results), backend, scheduler (not)
    execution: dict = field(
        default_factory=lambda: {"on_error": "abort", "time_limit": None, "backend": "processes", "scheduler": None}
    )
    extra: dict = field(default_factory=dict)  # other top-level tables (e.g. sweep)
    game_spec: dict = field(default_factory=dict)
    source: str | None = None
    base_dir: str | None = None

    @property
    def entrants(self) -> list[EntrantSpec]:
        if len(self.populations) != 1:
            raise ScenarioError("this scenario compares several populations; use .populations", source=self.source)
        return self.populations[0].entrants

    def with_population(self, pop: Population) -> Scenario:
        """The same scenario restricted to one population."""
        return replace(self, populations=[pop])

    def settings_dict(self) -> dict:
        return {
            "kind": self.kind,
            "repetitions": self.repetitions,
            **self.match.to_dict(),
            **jsonable(self.settings),
            "analysis": dict(self.analysis),
            "on_error": self.execution["on_error"],
            "time_limit": self.execution["time_limit"],
        }


def default_entrant_name(ref: str | type, cls: type[Strategy], params: dict) -> str:
    """Display name of an entrant without a ``name``: the strategy reference and its parameters."""
    short = ref if isinstance(ref, str) else cls.registry_name()
    return short if not params else f"{short}({', '.join(f'{k}={v}' for k, v in params.items())})"
