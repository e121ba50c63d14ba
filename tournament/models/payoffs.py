"""What the population kinds share: types and initial composition, selection settings, and the
type-against-type payoff table estimated from repeated matches.

**Types.** Each ``[[entrants]]`` table is one *type* (a strategy with its parameters); its
``count`` is the initial number of individuals of that type (SPEC §7). Instead, a
``[tournament]`` may give ``shares = [...]`` (one weight per type, normalised) and, for the
finite-population kinds, ``population_size = N`` (counts are then apportioned by largest
remainders; without ``shares`` the entrants' counts are scaled to N).

**Payoffs.** The kinds that work from payoffs (ecological, moran, replicator) first play a
round robin among one representative per type, with self-play and, when the game is not
symmetric, every seat order, for ``repetitions`` matches per grouping (through the normal
match executor, so worker count and backend never change results). That gives the focal
table ``F[t, m]``: the mean payoff per round of type t when its k−1 co-players are the
multiset m of types (averaged over t's seats). Per-repetition tables give bootstrap intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import mesa
import numpy as np
import pandas as pd

from .. import seeding
from ..errors import StrategyError
from ..kinds import KindResult, RunOptions
from ..scenario import EntrantSpec, Population, Scenario
from ..validation import Table
from .multisets import FocalPayoffs, multisets
from .stats import percentile_ci


# ------------------------------------------------------------------ types
@dataclass
class TypeSet:
    """The strategy types of a population, one representative spec each, with entrant counts."""

    names: list[str]
    specs: list[EntrantSpec]
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def types_of(population: Population) -> TypeSet:
    """Group a population's entrants (``count`` copies share a ``type_name``) into types."""
    index: dict[str, int] = {}  # a dict: a population of 10^6 copies is grouped in one pass
    specs: list[EntrantSpec] = []
    counts: list[int] = []
    for spec in population.entrants:
        name = spec.type_name or spec.name
        i = index.get(name)
        if i is not None:
            counts[i] += 1
        else:
            index[name] = len(specs)
            specs.append(replace(spec, name=name, type_name=name))
            counts.append(1)
    return TypeSet(list(index), specs, np.array(counts, dtype=np.int64))


# ------------------------------------------------------------------ composition
def parse_composition(tt: Table, scenario: Scenario, finite: bool) -> dict:
    """``shares`` (and for finite populations ``population_size``), checked against every population."""
    shares = tt.get("shares", list, None)
    from ..sizes import MAX_ENTRANTS

    size = tt.get("population_size", int, None, check=lambda v: 1 <= v <= MAX_ENTRANTS,
                  expect=f"a positive integer up to {MAX_ENTRANTS:,}") if finite else None
    if shares is not None:
        if not shares or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                                 and 0 <= x <= 1e300 for x in shares):
            raise tt.error(f"expected non-negative finite numbers, one per type, got {shares!r}", "shares")
        if sum(shares) <= 0:
            raise tt.error("the shares must not all be zero", "shares")
        for pop in scenario.populations:
            n = len(types_of(pop))
            if len(shares) != n:
                raise tt.error(
                    f"{len(shares)} shares for population {pop.name!r} with {n} types "
                    f"({', '.join(types_of(pop).names)}); give one share per [[entrants]] table", "shares")
        if finite and size is None:
            raise tt.error("shares of a finite population need population_size (or use the entrants' count)", "shares")
    out = {"shares": shares}
    if finite:
        out["population_size"] = size
        for pop in scenario.populations:
            counts = initial_counts(out, types_of(pop))
            if counts.sum() < scenario.game.n_players:
                raise tt.error(
                    f"population {pop.name!r} has {int(counts.sum())} individual(s) but a group needs "
                    f"{scenario.game.n_players}; raise the entrants' count or population_size",
                    "population_size" if size else None)
    return out


def apportion(weights, total: int) -> np.ndarray:
    """Integer counts summing to ``total`` proportional to ``weights`` (largest remainders)."""
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * total
    counts = np.floor(exact).astype(np.int64)
    rest = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def initial_counts(settings: dict, types: TypeSet) -> np.ndarray:
    """Initial number of individuals of each type (finite populations)."""
    size = settings.get("population_size")
    weights = settings.get("shares") or types.counts
    if size is None:
        return types.counts.copy()
    return apportion(weights, size)


def initial_shares(settings: dict, types: TypeSet) -> np.ndarray:
    weights = np.asarray(settings.get("shares") or types.counts, dtype=float)
    return weights / weights.sum()


# ------------------------------------------------------------------ selection
FITNESS_MAPS = ("exponential", "linear")


def parse_selection(tt: Table, scenario: Scenario) -> dict:
    """``fitness`` ("exponential": exp(w·payoff), or "linear": 1 − w + w·payoff, which must not be
    negative; with w = 1 fitness is the payoff, as in the Axelrod library) and
    ``selection_intensity`` w ≥ 0 (0 = neutral drift)."""
    fmap = tt.get("fitness", str, "exponential", choices=FITNESS_MAPS)
    w = tt.get("selection_intensity", float, 1.0, check=lambda v: v >= 0, expect="a non-negative number")
    if fmap == "linear":
        low = float(scenario.game.payoffs.min())
        if 1 - w + w * low < 0:
            raise tt.error(
                f"linear fitness 1 - w + w*payoff is negative for the game's lowest payoff {low:g} "
                f"with selection_intensity w = {w:g}; use w <= {1 / (1 - low):.4g} "
                "or fitness = \"exponential\"", "selection_intensity")
    return {"fitness": fmap, "selection_intensity": w}


def fitness_from_payoffs(payoffs: np.ndarray, fitness: str, intensity: float,
                         reference: float | None = None) -> np.ndarray:
    """Map payoffs to (positive) fitness. The exponential map is taken relative to
    ``reference`` (default: the largest payoff), which leaves every fitness ratio unchanged
    and avoids overflow."""
    p = np.asarray(payoffs, dtype=float)
    if fitness == "linear":
        return 1.0 - intensity + intensity * p
    if not p.size:
        return p
    return np.exp(intensity * (p - (p.max() if reference is None else reference)))


# ------------------------------------------------------------------ cooperation
def cooperate_actions(game) -> list[int] | None:
    """Each seat's "cooperate" action where that is meaningful (see ``strategies.cooperation``), else None."""
    from strategies.cooperation import cooperation_actions

    try:
        return [cooperation_actions(game, seat)[0] for seat in range(game.n_players)]
    except StrategyError:
        return None


# ------------------------------------------------------------------ payoff table
@dataclass
class PayoffEstimate:
    """The type-against-type payoffs estimated from a round robin with self-play."""

    focal: FocalPayoffs  # mean payoff per round
    per_repetition: np.ndarray  # (R, T, M) mean of each repetition's matches
    cooperation: np.ndarray | None  # (T, M) share of rounds the focal type cooperated (kept matches)
    result: KindResult  # the round robin's matches, standings and kept rounds

    @property
    def repetitions(self) -> int:
        return self.per_repetition.shape[0]

    def bootstrap_tables(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` bootstrap focal tables (resampling whole repetitions), shape (n, T, M)."""
        r = self.repetitions
        idx = rng.integers(r, size=(n, r))
        return self.per_repetition[idx].mean(axis=1)


def estimate_payoffs(scenario: Scenario, types: TypeSet, options: RunOptions) -> PayoffEstimate:
    """Play the type-against-type round robin and tabulate it (see the module docstring)."""
    from ..progress import progress_bar
    from ..roundrobin import RoundRobinModel

    pop = Population(scenario.populations[0].name, types.specs)
    settings = {"self_play": True, "cache_deterministic": scenario.settings.get("cache_deterministic", True)}
    sc = replace(scenario, populations=[pop], settings=settings)
    model = RoundRobinModel(sc, pop, options, keep_rounds=True)  # tabulate reads the actions
    with progress_bar(model.n_matches, enabled=options.progress, desc=f"{scenario.name}: payoffs") as bar:
        model.progress = bar
        result = model.run()
    return tabulate(scenario.game, types, result)


def tabulate(game, types: TypeSet, result: KindResult) -> PayoffEstimate:
    """Focal tables (mean and per repetition) and cooperation from a round robin's results."""
    k = game.n_players
    t = len(types)
    cols = multisets(t, k - 1)
    col_of = {tuple(int(x) for x in row): j for j, row in enumerate(cols)}
    index = {name: i for i, name in enumerate(types.names)}
    m = result.matches
    reps = int(m["repetition"].max()) + 1
    sums = np.zeros((reps, t, len(cols)))
    nums = np.zeros((reps, t, len(cols)))
    seat_types = np.stack([m[f"entrant_{s}"].map(index).to_numpy() for s in range(k)], axis=1)
    payoffs = np.stack([m[f"payoff_{s}"].to_numpy(dtype=float) for s in range(k)], axis=1)
    rep = m["repetition"].to_numpy()
    group_counts = np.zeros((len(m), t), dtype=np.int64)
    for s in range(k):
        np.add.at(group_counts, (np.arange(len(m)), seat_types[:, s]), 1)
    seat_col = np.empty((len(m), k), dtype=np.int64)
    for s in range(k):
        co = group_counts.copy()
        co[np.arange(len(m)), seat_types[:, s]] -= 1
        seat_col[:, s] = [col_of[tuple(row)] for row in co.tolist()]
        np.add.at(sums, (rep, seat_types[:, s], seat_col[:, s]), payoffs[:, s])
        np.add.at(nums, (rep, seat_types[:, s], seat_col[:, s]), 1)
    if np.any(nums.sum(axis=0) == 0):  # pragma: no cover - the round robin covers every grouping
        raise RuntimeError("payoff table has empty cells")
    with np.errstate(invalid="ignore"):
        per_rep = sums / nums
    # repetitions are complete (every grouping each repetition), so no cell is empty per repetition
    per_rep = np.where(nums > 0, per_rep, (sums.sum(0) / nums.sum(0))[None])
    focal = FocalPayoffs(sums.sum(0) / nums.sum(0), k, tuple(types.names))
    coop = None
    cs = cooperate_actions(game)
    if cs is not None and result.rounds:
        c_sum = np.zeros((t, len(cols)))
        c_num = np.zeros((t, len(cols)))
        row_of = {mid: i for i, mid in enumerate(m["match_id"].tolist())}
        for mid, data in result.rounds.items():
            i = row_of.get(mid)
            acts = data.get("actions")
            if i is None or acts is None or len(acts) == 0:
                continue
            for s in range(k):
                c_sum[seat_types[i, s], seat_col[i, s]] += float(np.mean(acts[:, s] == cs[s]))
                c_num[seat_types[i, s], seat_col[i, s]] += 1
        if np.all(c_num > 0):
            coop = c_sum / c_num
    return PayoffEstimate(focal, per_rep, coop, result)


def payoff_table_frame(focal: FocalPayoffs, names: list[str]) -> pd.DataFrame:
    """The estimated focal table as ``payoff_table.csv``: one row per (type, co-player multiset)."""
    rows = []
    for j, row in enumerate(focal.counts):
        co = " + ".join(f"{c}x {names[t]}" for t, c in enumerate(row) if c) or "(none)"
        for t, name in enumerate(names):
            rows.append({"type": name, "co_players": co, "payoff": float(focal.table[t, j])})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ infinite populations
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

    def __init__(self, scenario: Scenario, population: Population, options: RunOptions | None = None,
                 estimate: PayoffEstimate | None = None):
        super().__init__(rng=seeding.seed_sequence(scenario.seed, seeding.POPULATION_STREAM))
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
            final.append({"type": name, "initial": float(x0[i]), "share": float(self.x[i]),
                          "ci_low": float(lo[i]), "ci_high": float(hi[i]), "n": self.estimate.repetitions})
        return {
            "kind": self.kind, "types": list(self.types.names), "generations": self.generation,
            "converged": self.converged, "final_shares": final,
            "mean_payoff": {"mean": self.mean_payoff, "ci_low": plo, "ci_high": phi, "n": self.estimate.repetitions,
                            "over": "the types' payoffs at the final shares"},
            "cooperation": None if math.isnan(self.cooperation) else self.cooperation,
            "interval": "percentile bootstrap over match repetitions" if boot is not None else
            "none (needs repetitions >= 2 and bootstrap > 0)",
        }


def parse_shares_dynamics(tt: Table, scenario: Scenario, generations: int) -> dict:
    """Keys shared by the infinite-population kinds."""
    out = parse_composition(tt, scenario, finite=False)
    out["generations"] = tt.get("generations", int, generations, check=lambda v: v >= 0,
                                expect="a non-negative integer")
    out["tolerance"] = tt.get("tolerance", float, 1e-12, check=lambda v: v >= 0, expect="a non-negative number")
    out["bootstrap"] = tt.get("bootstrap", int, 200, check=lambda v: v >= 0, expect="a non-negative integer")
    out["cache_deterministic"] = tt.get("cache_deterministic", bool, True)
    return out


def run_with(model_cls: Callable[..., SharesModel]) -> Callable[[Scenario, RunOptions], KindResult]:
    def _run(scenario: Scenario, options: RunOptions) -> KindResult:
        return model_cls(scenario, scenario.populations[0], options).run()

    return _run
