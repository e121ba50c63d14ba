"""The ``moran`` kind: a finite population under the Moran process, as a Mesa model whose agents
are the individuals.

Fitness comes from repeated matches: the types' round robin (see :mod:`.payoffs`) gives each
type's mean payoff per round against every multiset of co-player types; an individual's
payoff is its expected payoff when its k−1 co-players are drawn without replacement from the
rest of the population (well-mixed) or from its neighbours in the interaction graph. Payoff
maps to fitness by ``exp(w·payoff)`` (default) or ``1 − w + w·payoff``; w is the
``selection_intensity`` (w = 0: neutral drift).

One model step is one event:

- ``update = "birth_death"`` (default): an individual is chosen to reproduce with probability
  ∝ fitness; its offspring replaces an individual chosen uniformly among the others
  (well-mixed) or among the parent's neighbours in the replacement graph;
- ``update = "death_birth"``: an individual chosen uniformly dies; the others (or its
  neighbours in the replacement graph) compete for the vacancy ∝ fitness.

With ``mutation`` μ the offspring is, with probability μ, of a uniformly random other type.
A run stops at fixation (one type left, μ = 0) or after ``max_generations`` generations of N
events. ``runs`` independent runs (different random placements and events, seeded per run)
give fixation probabilities with Wilson intervals, fixation times, and final shares; for a
well-mixed population of two types without mutation the exact fixation probability
(Nowak 2006, eq. 6.13 generalised to frequency-dependent fitness) is reported next to it.

Graphs: ``[tournament.graph]`` with ``interaction`` and ``replacement`` (see
:mod:`tournament.kinds.graphs`). The kind's keys are declared in :mod:`tournament.kinds.moran`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from .. import seeding
from ..analysis.stats import mean_ci, proportion_ci
from ..engine.match import release_model
from ..errors import ScenarioError
from ..execution.executor import Executor
from ..execution.progress import progress_bar
from ..kinds.graphs import GraphSpec, checked_graph, neighbour_arrays
from ..kinds.population import initial_counts, types_of
from ..kinds.registry import KindResult, RunOptions
from ..scenario.spec import Scenario
from ..seeding import graph_seed
from ..theory.moran import fitness_from_payoffs, fixation_probability
from ..theory.multisets import FocalPayoffs
from .payoffs import estimate_payoffs, payoff_table_frame


@dataclass
class MoranContext:
    """Everything a Moran run needs (picklable: shipped once to each worker)."""

    table: np.ndarray  # focal payoff table (T, M)
    coop_table: np.ndarray | None
    n_players: int
    types: list[str]
    counts: np.ndarray
    fitness: str
    intensity: float
    mutation: float
    update: str
    max_steps: int
    record_every: int
    interaction: list[np.ndarray] | None  # neighbour lists; None = well-mixed
    replacement: list[np.ndarray] | None
    seed: int
    # well-mixed payoffs depend only on the type counts: memo shared by the runs of a worker
    memo: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class MoranTask:
    run: int


class Individual(mesa.Agent):
    """One individual of the population: its type and its node in the graphs."""

    def __init__(self, model: MoranModel, type_index: int, node: int):
        super().__init__(model)
        self.type_index = int(type_index)
        self.node = int(node)
        self.born = model.steps

    @property
    def type_name(self) -> str:
        return self.model.ctx.types[self.type_index]


class MoranModel(mesa.Model):
    """One run of the Moran process. ``step()`` is one birth–death (or death–birth) event."""

    def __init__(self, ctx: MoranContext, run: int = 0):
        rng, mesa_seed = seeding.model_generator(seeding.seed_sequence(ctx.seed, seeding.POPULATION_STREAM, 1, run))
        super().__init__(rng=mesa_seed)
        self.rng = rng  # the run's own generator; Mesa's (seeded by mesa_seed) decides none of our draws
        self.ctx = ctx
        self.run_index = run
        self.focal = FocalPayoffs(ctx.table, ctx.n_players)
        self.coop = FocalPayoffs(ctx.coop_table, ctx.n_players) if ctx.coop_table is not None else None
        t = len(ctx.types)
        self.n_types = t
        types = np.repeat(np.arange(t), ctx.counts)
        self.rng.shuffle(types)  # random placement on the graph
        self.size = n = len(types)
        self.types = types
        self.counts = np.bincount(types, minlength=t)
        self.individuals = [Individual(self, int(ty), node) for node, ty in enumerate(types)]
        self._eye = np.eye(t, dtype=np.int64)
        self.reference = float(ctx.table.max())  # fixed shift of the exponential fitness map
        if ctx.interaction is not None:
            self.nbr_counts = np.zeros((n, t), dtype=np.int64)
            for i, nb in enumerate(ctx.interaction):
                np.add.at(self.nbr_counts[i], types[nb], 1)
            self.pay = self.focal.against_pool(self.types, self.nbr_counts)
        self.fixed: int | None = None
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "generation": lambda m: m.steps / m.size,
                "counts": lambda m: m.counts.tolist(),
                "mean_payoff": lambda m: float(m.payoffs().mean()),
                "cooperation": lambda m: m.cooperation(),
            }
        )
        self._check_fixed()
        self.datacollector.collect(self)
        self.running = self.fixed is None and ctx.max_steps > 0

    # ------------------------------------------------------------ payoffs
    def _per_type(self, focal: FocalPayoffs) -> np.ndarray:
        """Well-mixed: expected payoff of each type against k−1 others drawn from the rest."""
        pools = np.clip(self.counts[None, :] - self._eye, 0, None)
        return focal.against_pool(np.arange(self.n_types), pools)

    def payoffs(self) -> np.ndarray:
        """Expected payoff per round of every individual against its possible co-players."""
        if self.ctx.interaction is not None:
            return self.pay
        key = self.counts.tobytes()
        per_type = self.ctx.memo.get(key)
        if per_type is None:
            per_type = self.ctx.memo[key] = self._per_type(self.focal)
        return per_type[self.types]

    def cooperation(self) -> float:
        if self.coop is None:
            return math.nan
        if self.ctx.interaction is None:
            return float(self._per_type(self.coop)[self.types].mean())
        return float(self.coop.against_pool(self.types, self.nbr_counts).mean())

    def fitness(self) -> np.ndarray:
        return fitness_from_payoffs(self.payoffs(), self.ctx.fitness, self.ctx.intensity, self.reference)

    # ------------------------------------------------------------ dynamics
    def _pick(self, weights: np.ndarray, among: np.ndarray | None = None) -> int:
        """An index drawn ∝ weights (restricted to ``among`` if given)."""
        w = weights if among is None else weights[among]
        c = np.cumsum(w)
        if c[-1] <= 0:  # nobody has positive (linear) fitness: all equally likely
            j = int(self.rng.integers(len(w)))
        else:
            j = min(int(np.searchsorted(c, self.rng.random() * c[-1], side="right")), len(w) - 1)
        return j if among is None else int(among[j])

    def _other(self, i: int) -> int:
        j = int(self.rng.integers(self.size - 1))
        return j + (j >= i)

    def step(self) -> None:
        fit = self.fitness()
        rep = self.ctx.replacement
        if self.ctx.update == "birth_death":
            parent = self._pick(fit)
            victim = self._other(parent) if rep is None else int(self.rng.choice(rep[parent]))
        else:
            victim = int(self.rng.integers(self.size))
            among = np.delete(np.arange(self.size), victim) if rep is None else rep[victim]
            parent = self._pick(fit, among)
        child = int(self.types[parent])
        if self.ctx.mutation > 0 and self.n_types > 1 and self.rng.random() < self.ctx.mutation:
            other = int(self.rng.integers(self.n_types - 1))
            child = other + (other >= child)
        self._replace(victim, child)
        self._check_fixed()
        if self.steps % self.ctx.record_every == 0 or self.fixed is not None or self.steps >= self.ctx.max_steps:
            self.datacollector.collect(self)
        if self.fixed is not None or self.steps >= self.ctx.max_steps:
            self.running = False

    def _replace(self, node: int, new_type: int) -> None:
        old = int(self.types[node])
        self.individuals[node].remove()
        self.individuals[node] = Individual(self, new_type, node)
        if old == new_type:
            return
        self.types[node] = new_type
        self.counts[old] -= 1
        self.counts[new_type] += 1
        if self.ctx.interaction is not None:
            nb = self.ctx.interaction[node]
            self.nbr_counts[nb, old] -= 1
            self.nbr_counts[nb, new_type] += 1
            changed = np.append(nb, node)  # only these individuals' payoffs change
            self.pay[changed] = self.focal.against_pool(self.types[changed], self.nbr_counts[changed])

    def _check_fixed(self) -> None:
        if self.ctx.mutation == 0 and np.max(self.counts) == self.size:
            self.fixed = int(np.argmax(self.counts))

    def run_model(self) -> dict:
        """Run to fixation or the cap; the records as arrays (tables are built once for all runs)."""
        while self.running:
            self.step()
        rec = self.datacollector.model_vars
        counts = np.array(rec["counts"], dtype=np.int64)
        return {
            "run": self.run_index,
            "fixed": self.fixed,
            "steps": int(self.steps),
            "final_shares": self.counts / self.size,
            "mean_shares": (counts / self.size).mean(axis=0),
            "generation": np.array(rec["generation"]),
            "counts": counts,
            "mean_payoff": np.array(rec["mean_payoff"]),
            "cooperation": np.array(rec["cooperation"]),
        }


def moran_task(ctx: MoranContext, task: MoranTask) -> dict:
    """One independent run (the unit of work shipped to workers)."""
    model = MoranModel(ctx, task.run)
    try:
        return model.run_model()
    finally:
        release_model(model)


def moran_context(scenario: Scenario, estimate) -> tuple[MoranContext, dict, nx.Graph | None]:
    """The run context of a (single-population) Moran scenario from its payoff estimate, the
    description of its graphs for the summary, and the interaction graph (None: well-mixed)."""
    st = scenario.settings
    types = types_of(scenario.populations[0])
    counts = initial_counts(st, types)
    n = int(counts.sum())
    inter = rep = gi = None
    graphs = {}
    if st["interaction"] is not None:
        si, sr = GraphSpec.from_dict(st["interaction"]), GraphSpec.from_dict(st["replacement"])
        try:
            gi = checked_graph(si, n, graph_seed(scenario.seed, 0), None, "interaction", scenario.game.n_players - 1)
            gr = gi if sr == si else checked_graph(sr, n, graph_seed(scenario.seed, 1), None, "replacement")
        except ValueError as exc:  # e.g. a [sweep] of counts changed the population size
            raise ScenarioError(str(exc), source=scenario.source, key="tournament.graph") from None
        inter, rep = neighbour_arrays(gi, n), neighbour_arrays(gr, n)
        graphs = {
            "interaction": si.describe(),
            "replacement": sr.describe(),
            "mean_degree": 2 * gi.number_of_edges() / n,
        }
    record_every = st["record_every"] or n
    ctx = MoranContext(
        table=estimate.focal.table,
        coop_table=estimate.cooperation,
        n_players=scenario.game.n_players,
        types=list(types.names),
        counts=counts,
        fitness=st["fitness"],
        intensity=st["selection_intensity"],
        mutation=st["mutation"],
        update=st["update"],
        max_steps=st["max_generations"] * n,
        record_every=record_every,
        interaction=inter,
        replacement=rep,
        seed=scenario.seed,
    )
    return ctx, graphs, gi


def run(scenario: Scenario, options: RunOptions) -> KindResult:
    """The ``moran`` kind's run (one population)."""
    st = scenario.settings
    types = types_of(scenario.populations[0])
    estimate = estimate_payoffs(scenario, types, options)
    ctx, graphs, _ = moran_context(scenario, estimate)
    n = int(ctx.counts.sum())
    tasks = [MoranTask(r) for r in range(st["runs"])]
    with (
        Executor(moran_task, ctx, options=options) as ex,
        progress_bar(len(tasks), enabled=options.progress, desc=f"{scenario.name}: moran", unit="run") as bar,
    ):
        runs = list(ex.map(tasks, bar))
    summary = dict(estimate.result.summary)
    summary["population"] = _summarise(ctx, estimate.focal, runs, graphs)
    fixation = pd.DataFrame(
        [
            {
                "run": r["run"],
                "fixed_type": types.names[r["fixed"]] if r["fixed"] is not None else "",
                "steps": r["steps"],
                "generations": r["steps"] / n,
                **{f"final_share[{name}]": float(r["final_shares"][i]) for i, name in enumerate(types.names)},
            }
            for r in runs
        ]
    )
    tables = {
        **record_tables(runs, types.names, n),
        "fixation": fixation,
        "payoff_table": payoff_table_frame(estimate.focal, types.names),
    }
    res = estimate.result
    return KindResult(matches=res.matches, summary=summary, rounds=res.rounds, tables=tables)


def record_tables(runs: list[dict], names: list[str], size: int) -> dict[str, pd.DataFrame]:
    """``shares`` (run, generation, type, count, share) and ``population`` (run, generation,
    mean_payoff, cooperation) over all runs."""
    t = len(names)
    run_col = np.concatenate([np.full(len(r["generation"]), r["run"]) for r in runs])
    gen = np.concatenate([r["generation"] for r in runs])
    counts = np.concatenate([r["counts"] for r in runs])
    shares = pd.DataFrame(
        {
            "run": np.repeat(run_col, t),
            "generation": np.repeat(gen, t),
            "type": np.tile(np.array(names, dtype=object), len(gen)),
            "count": counts.reshape(-1),
            "share": counts.reshape(-1) / size,
        }
    )
    pop = pd.DataFrame(
        {
            "run": run_col,
            "generation": gen,
            "mean_payoff": np.concatenate([r["mean_payoff"] for r in runs]),
            "cooperation": np.concatenate([r["cooperation"] for r in runs]),
        }
    )
    return {"shares": shares, "population": pop}


def _summarise(ctx: MoranContext, focal: FocalPayoffs, runs: list[dict], graphs: dict) -> dict:
    n = int(ctx.counts.sum())
    names = ctx.types
    n_runs = len(runs)
    fixed = [r["fixed"] for r in runs]
    out: dict = {
        "kind": "moran",
        "types": list(names),
        "initial_counts": ctx.counts.tolist(),
        "population_size": n,
        "runs": n_runs,
        "update": ctx.update,
        "fitness": ctx.fitness,
        "selection_intensity": ctx.intensity,
        "mutation": ctx.mutation,
        "structure": graphs or "well-mixed",
    }
    final = np.array([r["final_shares"] for r in runs])
    mean = np.array([r["mean_shares"] for r in runs])
    m, lo, hi, cnt = mean_ci([r["mean_payoff"][-1] for r in runs])
    out["mean_payoff"] = {"mean": m, "ci_low": lo, "ci_high": hi, "n": cnt, "over": "the last record of each run"}
    out["final_shares"] = []
    for i, name in enumerate(names):
        m, lo, hi, cnt = mean_ci(final[:, i], bounds=(0, 1))
        tm, tlo, thi, _ = mean_ci(mean[:, i], bounds=(0, 1))
        out["final_shares"].append(
            {
                "type": name,
                "initial": float(ctx.counts[i] / n),
                "share": m,
                "ci_low": lo,
                "ci_high": hi,
                "n": cnt,
                "time_average": tm,
                "time_average_ci_low": tlo,
                "time_average_ci_high": thi,
            }
        )
    if ctx.mutation == 0:
        present = np.flatnonzero(ctx.counts)
        exact = {}
        if ctx.interaction is None and len(present) == 2:
            a, b = (int(x) for x in present)
            exact = {
                a: fixation_probability(
                    focal, n, a, b, int(ctx.counts[a]), fitness=ctx.fitness, intensity=ctx.intensity, update=ctx.update
                ),
                b: fixation_probability(
                    focal, n, b, a, int(ctx.counts[b]), fitness=ctx.fitness, intensity=ctx.intensity, update=ctx.update
                ),
            }
        out["fixation"] = []
        for i, name in enumerate(names):
            k = sum(1 for f in fixed if f == i)
            p, lo, hi = proportion_ci(k, n_runs)
            times = [r["steps"] / n for r in runs if r["fixed"] == i]
            tm, tlo, thi, _ = mean_ci(times)
            out["fixation"].append(
                {
                    "type": name,
                    "initial_count": int(ctx.counts[i]),
                    "fixations": k,
                    "runs": n_runs,
                    "probability": p,
                    "ci_low": lo,
                    "ci_high": hi,
                    "neutral": float(ctx.counts[i] / n),
                    "exact": exact.get(i),
                    "mean_generations": tm,
                    "generations_ci_low": tlo,
                    "generations_ci_high": thi,
                }
            )
        out["unfixed_runs"] = sum(1 for f in fixed if f is None)
    return out
