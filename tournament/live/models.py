"""The Mesa models the live view steps: the CLI's own models, built from a scenario file with
keyword parameters (Mesa's SolaraViz re-creates a model as ``type(model)(**params)`` on reset).

Nothing here re-implements a dynamic: each class is a thin subclass of the model that
``tournament run`` runs, built through the same helpers (``match_context``,
``match_arguments``, ``moran_context``, ``context_for``, ``estimate_payoffs``), so a seed
gives the same trajectory as ``tournament run``. Only the round robin is stepped more finely
(one match per step instead of one repetition), through its ``task``/``finish`` hooks.

This module needs Mesa only (no Solara): the models can be built and stepped in tests and
notebooks without the ``[view]`` extra.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.standings import standings
from ..engine.match import MatchModel
from ..errors import ScenarioError
from ..execution.tasks import MatchRecord, MatchTask, match_arguments
from ..kinds.population import types_of
from ..kinds.registry import RunOptions
from ..kinds.seatings import seatings
from ..models.moran import MoranModel, moran_context
from ..models.payoffs import estimate_payoffs
from ..models.random_matching import RandomMatchingModel, context_for
from ..models.round_robin import RoundRobinModel, match_context
from ..models.shares import EcologicalModel, ReplicatorModel
from ..scenario.load import load_scenario, parse_scenario
from ..scenario.spec import Scenario


# ------------------------------------------------------------------ scenario with the page's settings
def parse_seed(value: Any, source: str) -> int | None:
    """The seed control's value as an int (None or "": keep the file's seed)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        seed = int(str(value).strip())
    except ValueError:
        seed = -1
    if seed < 0 or isinstance(value, bool):
        raise ScenarioError(f"expected a non-negative integer seed, got {value!r}", source=source, key="seed")
    return seed


def view_scenario(
    scenario_file: str | Path, population: str = "", seed: Any = None, overrides: dict[str, Any] | None = None
) -> Scenario:
    """The scenario file with the page's settings: ``seed`` and ``overrides`` (dotted keys such as
    ``"tournament.noise"``; None keeps the file's value) are written into the TOML data and the
    whole scenario is validated again, so a bad setting gets the loader's own error. Restricted
    to ``population`` (by name; "" = the first)."""
    path = Path(scenario_file)
    scenario = load_scenario(path)  # every check on the file as written
    changes = {key: value for key, value in (overrides or {}).items() if value is not None}
    seed = parse_seed(seed, str(path))
    if seed is not None:
        changes["seed"] = seed
    if changes:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        for key, value in changes.items():
            *parents, last = key.split(".")
            table = data
            for part in parents:
                table = table.setdefault(part, {})
            table[last] = value
        scenario = parse_scenario(data, source=str(path), base_dir=path.resolve().parent, default_name=path.stem)
    names = [p.name for p in scenario.populations]
    if population:
        if population not in names:
            raise ScenarioError(
                f"no population {population!r}; the file has {', '.join(map(repr, names))}",
                source=str(path),
                key="populations",
            )
        return scenario.with_population(scenario.populations[names.index(population)])
    return scenario.with_population(scenario.populations[0])


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def seating_labels(scenario: Scenario) -> list[str]:
    """One label per seating of the round robin, in the model's order ("1. A vs B")."""
    entrants = scenario.populations[0].entrants
    names = [e.name for e in entrants]
    seats = seatings(
        len(entrants), scenario.game.n_players, scenario.game.is_symmetric, scenario.settings.get("self_play", False)
    )
    return [f"{j + 1}. " + " vs ".join(names[i] for i in s) for j, s in enumerate(seats)]


# ------------------------------------------------------------------ round robin
class LiveRoundRobin(RoundRobinModel):
    """The scenario's round robin, one match per step (seatings in order, repetition by
    repetition: the matches of ``tournament run`` with the same ids and seeds).

    Keeps the running standings after every match and the latest match of every seating with
    its rounds, for the page's "actions of a pairing" panel (``pairing``: a seating label).
    """

    def __init__(
        self,
        scenario_file: str = "",
        population: str = "",
        seed: Any = None,
        turns: Any = None,
        noise: Any = None,
        repetitions: Any = None,
        pairing: str = "",
    ):
        scenario = view_scenario(
            scenario_file,
            population,
            seed,
            {
                "tournament.turns": _int(turns),
                "tournament.noise": _float(noise),
                "tournament.repetitions": _int(repetitions),
            },
        )
        super().__init__(scenario, scenario.populations[0], RunOptions())
        self.context.keep_traces = self.repetitions  # rounds of every match (the rows do not change)
        self.names = [s.name for s in self.entrant_specs]
        self.labels = seating_labels(scenario)
        self.pairing = self.labels.index(pairing) if pairing in self.labels else 0
        self.latest: dict[int, MatchRecord] = {}
        self.records: list[MatchRecord] = []  # every match so far (the page is small; the CLI streams)
        self.history = np.empty((0, len(self.names)))  # running mean payoff per entrant after each match
        self.running = self.n_matches > 0

    @property
    def matches_played(self) -> int:
        return len(self.records)

    def step(self) -> None:
        rep, j = divmod(self.matches_played, len(self.seatings))
        task = self.task(rep, j)
        played = None if task is None else next(iter(self.executor.map([task])))
        self.latest[j] = self.finish(rep, j, played)
        means = np.array([a.mean_payoff for a in self.entrant_agents])
        self.history = np.vstack([self.history, means])
        if j == len(self.seatings) - 1:
            self.datacollector.collect(self)
        if self.matches_played >= self.n_matches:
            self.running = False
            self.executor.close()

    def _absorb(self, seating: tuple[int, ...], record: MatchRecord) -> None:
        self.records.append(record)
        super()._absorb(seating, record)

    def matches(self) -> pd.DataFrame:
        return pd.DataFrame([r.row for r in self.records])

    def standings(self) -> pd.DataFrame:
        m = self.matches()
        ms = self.tournament_scenario.match
        exact = ms.noise == 0 and ms.prob_end is None  # as in `tournament run`: identical logs are not chance
        return standings(m, self.game.n_players, self.names, exact) if len(m) else pd.DataFrame()


# ------------------------------------------------------------------ one match
class LiveMatch(MatchModel):
    """One match of the scenario's round robin, one round per step: seating ``pairing`` (a
    label of :func:`seating_labels`) in repetition ``repetition`` — the match with that id in
    ``tournament run``, built by the same ``match_arguments``."""

    def __init__(
        self,
        scenario_file: str = "",
        population: str = "",
        seed: Any = None,
        turns: Any = None,
        noise: Any = None,
        pairing: str = "",
        repetition: Any = 0,
    ):
        scenario = view_scenario(
            scenario_file, population, seed, {"tournament.turns": _int(turns), "tournament.noise": _float(noise)}
        )
        pop = scenario.populations[0]
        ctx = match_context(scenario, pop)
        seats = seatings(
            len(pop.entrants),
            scenario.game.n_players,
            scenario.game.is_symmetric,
            scenario.settings.get("self_play", False),
        )
        if not seats:
            raise ScenarioError("the round robin has no seating to show", source=scenario.source)
        labels = seating_labels(scenario)
        j = labels.index(pairing) if pairing in labels else 0
        rep = min(max(int(repetition or 0), 0), scenario.repetitions - 1)
        self.task = MatchTask(rep * len(seats) + j, rep, seats[j])
        self.label = labels[j]
        self.tournament_scenario = scenario
        super().__init__(**match_arguments(ctx, self.task))
        self.analysis = dict(scenario.analysis)

    @property
    def rounds_played(self) -> int:
        return self.round

    def actions(self) -> np.ndarray:
        return self.result().actions

    def payoffs(self) -> np.ndarray:
        return self.result().payoffs

    def traces(self, seat: int) -> dict[str, np.ndarray]:
        return self.seats[seat].strategy.collect_traces()


# ------------------------------------------------------------------ Moran
class LiveMoran(MoranModel):
    """Run ``run`` of the scenario's Moran process (one birth–death event per step), with the
    type payoff table estimated as ``tournament run`` does; ``graph`` is the interaction graph
    (None: well-mixed)."""

    def __init__(
        self,
        scenario_file: str = "",
        population: str = "",
        seed: Any = None,
        run: Any = 0,
        selection_intensity: Any = None,
        mutation: Any = None,
        update: Any = None,
        turns: Any = None,
    ):
        scenario = view_scenario(
            scenario_file,
            population,
            seed,
            {
                "tournament.selection_intensity": _float(selection_intensity),
                "tournament.mutation": _float(mutation),
                "tournament.update": update or None,
                "tournament.turns": _int(turns),
            },
        )
        estimate = estimate_payoffs(scenario, types_of(scenario.populations[0]), RunOptions())
        ctx, self.graphs, self.graph = moran_context(scenario, estimate)
        run = min(max(int(run or 0), 0), scenario.settings["runs"] - 1)
        self.tournament_scenario = scenario
        super().__init__(ctx, run)

    def record(self) -> pd.DataFrame:
        """Generation, share of every type, mean payoff: one row per record (every ``record_every``
        events, as in ``shares.csv``) plus the current state."""
        rec = self.datacollector.model_vars
        gens = list(rec["generation"])
        counts = [list(c) for c in rec["counts"]]
        pay = list(rec["mean_payoff"])
        if not gens or gens[-1] != self.steps / self.size:
            gens.append(self.steps / self.size)
            counts.append(self.counts.tolist())
            pay.append(float(self.payoffs().mean()))
        out = pd.DataFrame(np.array(counts, dtype=float) / self.size, columns=self.ctx.types)
        out.insert(0, "generation", gens)
        out["mean_payoff"] = pay
        return out


# ------------------------------------------------------------------ random matching
class LiveRandomMatching(RandomMatchingModel):
    """Run ``run`` of the scenario's random-matching population, one round per step."""

    def __init__(
        self,
        scenario_file: str = "",
        population: str = "",
        seed: Any = None,
        run: Any = 0,
        turns: Any = None,
        noise: Any = None,
        selection_intensity: Any = None,
        mutation: Any = None,
        generations: Any = None,
    ):
        scenario = view_scenario(
            scenario_file,
            population,
            seed,
            {
                "tournament.turns": _int(turns),
                "tournament.noise": _float(noise),
                "tournament.selection_intensity": _float(selection_intensity),
                "tournament.mutation": _float(mutation),
                "tournament.generations": _int(generations),
            },
        )
        run = min(max(int(run or 0), 0), scenario.settings["runs"] - 1)
        self.tournament_scenario = scenario
        super().__init__(context_for(scenario), run)

    def record(self) -> pd.DataFrame:
        """Round, share of every type and mean payoff per game over each recorded window."""
        rec = self.datacollector.model_vars
        names = [t.name for t in self.ctx.types]
        rows = []
        for r, counts, pay, games in zip(
            rec.get("round", []), rec.get("counts", []), rec.get("payoff_sums", []), rec.get("games", [])
        ):
            c = np.asarray(counts, dtype=float)
            g = float(np.sum(games))
            rows.append(
                {"round": r, **dict(zip(names, c / c.sum())), "mean_payoff": float(np.sum(pay)) / g if g else np.nan}
            )
        return pd.DataFrame(rows, columns=["round", *names, "mean_payoff"])


# ------------------------------------------------------------------ infinite populations
if TYPE_CHECKING:  # the mixin always comes before a SharesModel subclass in the MRO
    from ..models.shares import SharesModel as _SharesBase
else:
    _SharesBase = object


class _LiveShares(_SharesBase):
    """Keyword construction shared by the ecological and replicator views."""

    def _build(self, scenario_file, population, seed, overrides) -> None:
        scenario = view_scenario(scenario_file, population, seed, overrides)
        super().__init__(scenario, scenario.populations[0], RunOptions())  # the kind's model, next in the MRO

    def record(self) -> pd.DataFrame:
        """Generation, share of every type and the mean payoff: one row per generation."""
        rec = self.datacollector.get_agent_vars_dataframe().reset_index()
        shares = rec.pivot(index="Step", columns="type", values="share")[list(self.types.names)]
        pop = self.datacollector.get_model_vars_dataframe()
        out = shares.reset_index(drop=True)
        out.insert(0, "generation", pop["generation"].to_numpy())
        out["mean_payoff"] = pop["mean_payoff"].to_numpy()
        return out


class LiveEcological(_LiveShares, EcologicalModel):
    """The scenario's ecological (discrete replicator) dynamics, one generation per step."""

    def __init__(
        self,
        scenario_file: str = "",
        population: str = "",
        seed: Any = None,
        turns: Any = None,
        noise: Any = None,
        repetitions: Any = None,
        generations: Any = None,
        background_fitness: Any = None,
    ):
        self._build(
            scenario_file,
            population,
            seed,
            {
                "tournament.turns": _int(turns),
                "tournament.noise": _float(noise),
                "tournament.repetitions": _int(repetitions),
                "tournament.generations": _int(generations),
                "tournament.background_fitness": _float(background_fitness),
            },
        )


class LiveReplicator(_LiveShares, ReplicatorModel):
    """The scenario's Euler replicator dynamics, one step per step."""

    def __init__(
        self,
        scenario_file: str = "",
        population: str = "",
        seed: Any = None,
        turns: Any = None,
        noise: Any = None,
        repetitions: Any = None,
        generations: Any = None,
        step: Any = None,
    ):
        self._build(
            scenario_file,
            population,
            seed,
            {
                "tournament.turns": _int(turns),
                "tournament.noise": _float(noise),
                "tournament.repetitions": _int(repetitions),
                "tournament.generations": _int(generations),
                "tournament.step": _float(step),
            },
        )
