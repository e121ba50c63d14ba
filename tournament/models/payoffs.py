"""The type-against-type payoff table of the population kinds, estimated from repeated matches.

The kinds that work from payoffs (ecological, moran, replicator) first play a round robin
among one representative per type (see :mod:`tournament.kinds.population`), with self-play
and, when the game is not symmetric, every seat order, for ``repetitions`` matches per
grouping (through the normal match executor, so worker count and backend never change
results). That gives the focal table ``F[t, m]``: the mean payoff per round of type t when its
k−1 co-players are the multiset m of types (averaged over t's seats). Per-repetition tables
give bootstrap intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from strategies.cooperation import cooperation_actions

from ..errors import StrategyError
from ..execution.progress import progress_bar
from ..kinds.population import TypeSet
from ..kinds.registry import KindResult, RunOptions
from ..scenario.spec import Population, Scenario
from ..theory.multisets import FocalPayoffs, multisets
from .round_robin import RoundRobinModel


# ------------------------------------------------------------------ cooperation
def cooperate_actions(game) -> list[int] | None:
    """Each seat's "cooperate" action where that is meaningful (see ``strategies.cooperation``), else None."""
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
