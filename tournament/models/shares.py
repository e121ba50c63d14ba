"""Infinite populations as Mesa models whose agents are the types: the share dynamics of the
``ecological`` kind (discrete replicator, :class:`EcologicalModel`) and of the ``replicator``
kind (Euler-stepped replicator dynamics, :class:`ReplicatorModel`) on the type payoff table
(:mod:`.payoffs`). The kinds' keys are described in :mod:`tournament.kinds.ecological` and
:mod:`tournament.kinds.replicator`.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd

from .. import seeding
from ..analysis.stats import percentile_ci
from ..kinds.population import initial_shares, types_of
from ..kinds.registry import KindResult, RunOptions
from ..scenario.spec import Population, Scenario
from ..theory.dynamics import discrete_replicator_step, payoff_span, replicator_step
from ..theory.multisets import FocalPayoffs
from .payoffs import PayoffEstimate, estimate_payoffs, payoff_table_frame


class TypeAgent(mesa.Agent):
    """One strategy type of an infinite population (a "species"), holding its share."""

    def __init__(self, model: mesa.Model, index: int, name: str, share: float):
        super().__init__(model)
        self.index = index
        self.type_name = name
        self.share = float(share)
        self.payoff = math.nan  # expected payoff against the current population
        self.cooperation = math.nan


class SharesModel(mesa.Model):
    """Discrete-generation share dynamics of an infinite population whose agents are the types.

    Subclasses define :meth:`update` (shares -> next shares, batched). One step is one
    generation; a ``DataCollector`` records every type's share, expected payoff and
    cooperation, and the population's mean payoff and cooperation.
    """

    kind = "shares"

    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        options: RunOptions | None = None,
        estimate: PayoffEstimate | None = None,
    ):
        rng, mesa_seed = seeding.model_generator(seeding.seed_sequence(scenario.seed, seeding.POPULATION_STREAM))
        super().__init__(rng=mesa_seed)
        self.rng = rng  # the model's own generator; Mesa's (seeded by mesa_seed) decides none of our draws
        self.tournament_scenario = scenario  # Mesa >= 3.5 reserves Model.scenario
        self.settings = scenario.settings
        self.options = options or RunOptions()
        self.types = types_of(population)
        self.estimate = estimate or estimate_payoffs(scenario, self.types, self.options)
        self.focal = self.estimate.focal
        coop = self.estimate.cooperation
        self.coop_focal = FocalPayoffs(coop, self.focal.n_players) if coop is not None else None
        self.generations = int(self.settings["generations"])
        self.tolerance = float(self.settings["tolerance"])
        x0 = initial_shares(self.settings, self.types)
        self.type_agents = [TypeAgent(self, i, n, x0[i]) for i, n in enumerate(self.types.names)]
        self.x = x0.copy()
        self.generation = 0
        self.converged = False
        self.datacollector = mesa.DataCollector(
            model_reporters={"generation": "generation", "mean_payoff": "mean_payoff", "cooperation": "cooperation"},
            agent_reporters={"type": "type_name", "share": "share", "payoff": "payoff", "cooperation": "cooperation"},
        )
        self._refresh()
        self.datacollector.collect(self)
        self.running = self.generations > 0

    # subclasses ---------------------------------------------------------
    def update(self, focal: FocalPayoffs, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # -------------------------------------------------------------------
    def _refresh(self) -> None:
        eu = self.focal.against(self.x)
        coop = self.coop_focal.against(self.x) if self.coop_focal is not None else None
        for agent in self.type_agents:
            agent.share = float(self.x[agent.index])
            agent.payoff = float(eu[agent.index])
            agent.cooperation = float(coop[agent.index]) if coop is not None else math.nan
        self.mean_payoff = float(self.x @ eu)
        self.cooperation = float(self.x @ coop) if coop is not None else math.nan

    def step(self) -> None:
        new = self.update(self.focal, self.x)
        moved = float(np.abs(new - self.x).max())
        self.x = new
        self.generation += 1
        self._refresh()
        self.datacollector.collect(self)
        if moved < self.tolerance:
            self.converged = True
            self.running = False
        if self.generation >= self.generations:
            self.running = False

    def run(self) -> KindResult:
        while self.running:
            self.step()
        # one model step per generation, the first record before any step: Step == generation
        shares = self.datacollector.get_agent_vars_dataframe().reset_index().rename(columns={"Step": "generation"})
        shares = shares[["generation", "type", "share", "payoff", "cooperation"]]
        pop = self.datacollector.get_model_vars_dataframe()[["generation", "mean_payoff", "cooperation"]]
        summary = dict(self.estimate.result.summary)
        summary["population"] = self.population_summary()
        tables = {"shares": shares, "population": pop.reset_index(drop=True), "payoff_table": self.payoff_table()}
        res = self.estimate.result
        return KindResult(matches=res.matches, summary=summary, rounds=res.rounds, tables=tables)

    def payoff_table(self) -> pd.DataFrame:
        return payoff_table_frame(self.focal, self.types.names)

    def bootstrap_final(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Bootstrap replicates (resampling match repetitions) of the final shares and of the mean
        payoff there: arrays (n, T) and (n,), or None without repetitions to resample."""
        n = int(self.settings.get("bootstrap", 0))
        if n <= 0 or self.estimate.repetitions < 2:
            return None
        rng = seeding.generator(seeding.seed_sequence(self.tournament_scenario.seed, seeding.ANALYSIS_STREAM, 1))
        tables = self.estimate.bootstrap_tables(n, rng)
        focal = FocalPayoffs(tables, self.focal.n_players)
        x = np.broadcast_to(initial_shares(self.settings, self.types), (n, len(self.types))).copy()
        for _ in range(self.generation):
            x = self.update(focal, x)
        return x, focal.value(x)

    def population_summary(self) -> dict:
        boot = self.bootstrap_final()
        x0 = initial_shares(self.settings, self.types)
        lo = hi = np.full(len(self.types), math.nan)
        plo = phi = math.nan
        if boot is not None:
            lo, hi = percentile_ci(boot[0], axis=0)
            plo, phi = (float(v) for v in percentile_ci(boot[1]))
        final = []
        for i, name in enumerate(self.types.names):
            final.append(
                {
                    "type": name,
                    "initial": float(x0[i]),
                    "share": float(self.x[i]),
                    "ci_low": float(lo[i]),
                    "ci_high": float(hi[i]),
                    "n": self.estimate.repetitions,
                }
            )
        return {
            "kind": self.kind,
            "types": list(self.types.names),
            "generations": self.generation,
            "converged": self.converged,
            "final_shares": final,
            "mean_payoff": {
                "mean": self.mean_payoff,
                "ci_low": plo,
                "ci_high": phi,
                "n": self.estimate.repetitions,
                "over": "the types' payoffs at the final shares",
            },
            "cooperation": None if math.isnan(self.cooperation) else self.cooperation,
            "interval": "percentile bootstrap over match repetitions"
            if boot is not None
            else "none (needs repetitions >= 2 and bootstrap > 0)",
        }


class EcologicalModel(SharesModel):
    """Discrete replicator on the type payoff table; agents are the types."""

    kind = "ecological"

    def update(self, focal: FocalPayoffs, x: np.ndarray) -> np.ndarray:
        return discrete_replicator_step(focal, x, self.settings["background_fitness"])


class ReplicatorModel(SharesModel):
    """Euler replicator dynamics on the type payoff table; agents are the types."""

    kind = "replicator"

    def update(self, focal: FocalPayoffs, x: np.ndarray) -> np.ndarray:
        # the point estimate's range scales every (bootstrap) table alike
        scale = 1.0 / float(payoff_span(self.focal)) if self.settings["normalize"] else 1.0
        return replicator_step(focal, x, self.settings["step"], scale)


def run_ecological(scenario: Scenario, options: RunOptions) -> KindResult:
    """The ``ecological`` kind's run (one population)."""
    return EcologicalModel(scenario, scenario.populations[0], options).run()


def run_replicator(scenario: Scenario, options: RunOptions) -> KindResult:
    """The ``replicator`` kind's run (one population)."""
    return ReplicatorModel(scenario, scenario.populations[0], options).run()
