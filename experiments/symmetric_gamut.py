"""Seed 002's GAMUT experiment: how often is the best symmetric strategy mixed, and how often do
SLSQP and the replicator dynamics find it?

For every game class (random, coordination, collaboration; ``tournament.games`` generators,
seed 002 App. F.1), N ∈ {2..5} players and A ∈ {2..5} actions: sample ``--games`` games; run
``--starts`` SLSQP and ``--starts`` replicator-dynamics searches per game from uniform random
points of the simplex; "best" = best of all runs. Reported per cell (with 95% Wilson
intervals):

- ``mixed``: fraction of games whose best solution is mixed — the best value over all 2 × starts
  runs beats every pure symmetric profile by more than ``1e-6`` of the payoff scale (200); by
  Thm 5.0.4 these are the games whose symmetric optimum is unstable to joint deviations;
- ``mixed_seed_rule``: the same fraction decided exactly as the authors' code decides it
  (``sim.py`` / ``analyze.py`` of github.com/scottemmons/coordination): a run is "mixed" if no
  share is within ``numpy.isclose`` of 1 and its value is strictly above the best pure value,
  with no tolerance; a game is "mixed" if *any* run of the method whose best value is higher
  (SLSQP on ties) is mixed (their ``groupby(...).max()`` takes the maximum column by column,
  so the flag need not be the best run's). Differences that remain: their replicator value is
  U at the iterate before the last Euler step (ours: U at the last one), their SLSQP uses
  numerical gradients with scipy's default ``ftol`` and drops runs whose shares sum to more
  than 0.01 away from 1 (ours: the analytic gradient, ``ftol`` 1e-10, shares renormalised);
- ``single_<method>``: fraction of single runs reaching the best (within 1e-3 of the payoff
  scale, the seed's tolerance on its [0, 1] payoffs);
- ``any_<method>``: fraction of games where at least one of the method's runs reaches it.

Scaling follows the seed's code exactly: its payoffs are ours mapped by (x + 100) / 200 onto
[0, 1], where it Euler-steps the replicator with step 1 for 10 000 iterations; here that is
step 1/200 on the raw payoffs, 10 000 iterations (``--tol 1e-13`` stops a run once no share
moves more than that: in our re-run the same ``summary.csv`` to the last digit, 7x faster; see
docs/populations.md).

Outputs in ``--out``: ``runs.csv`` (one row per run), ``games.csv`` (one row per game),
``summary.csv`` (one row per class × N × A, next to the paper's numbers where the extracted
text gives them), ``heatmap_mixed.png``, ``heatmap_single.png``, ``heatmap_any.png`` and
``budget.json`` (wall time, workers, sizes).

    PYTHONPATH=. python experiments/symmetric_gamut.py --workers 2 --out results/symmetric_gamut
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tournament import games
from tournament.analysis.stats import proportion_ci
from tournament.analysis.symmetric import pure_symmetric_values, random_starts, slsqp_runs
from tournament.execution.executor import Executor
from tournament.theory.dynamics import replicator
from tournament.theory.multisets import FocalPayoffs

CLASSES = {"random": "random_game", "coordination": "coordination_game", "collaboration": "collaboration_game"}
SCALE = 200.0  # width of the generators' payoff range [-100, 100]; the seed's payoffs are x/200 + 1/2
REACH_TOL = 1e-3 * SCALE
MIXED_TOL = 1e-6 * SCALE

# Seed 002, Appendix Tables 3a, 3b, 4a, 4b as far as the extracted text gives them. The text
# lists each table column by column: one group per A = 2..5, entries for N = 2..5 (this
# orientation is the one that matches our numbers, see docs/populations.md). The
# extraction lost one entry of Table 4a's A = 3 column (which one is unknown), so that column is
# left out; Tables 5-7 are too garbled to use.
_NAN = float("nan")
_PAPER_COLUMNS = {
    ("mixed", "random"): [
        [0.36, 0.38, 0.42, 0.45],
        [0.44, 0.49, 0.45, 0.48],
        [0.44, 0.59, 0.46, 0.49],
        [0.50, 0.60, 0.46, 0.47],
    ],
    ("mixed", "coordination"): [[0.0] * 4] * 4,
    ("single_slsqp", "random"): [
        [0.92, 0.80, 0.75, 0.70],
        [_NAN] * 4,
        [0.70, 0.57, 0.40, 0.36],
        [0.64, 0.48, 0.35, 0.31],
    ],
    ("single_slsqp", "coordination"): [
        [0.59, 0.53, 0.53, 0.53],
        [0.50, 0.38, 0.37, 0.36],
        [0.40, 0.28, 0.29, 0.33],
        [0.33, 0.29, 0.26, 0.25],
    ],
}
PAPER = {key: np.array(cols).T.tolist() for key, cols in _PAPER_COLUMNS.items()}  # [N - 2][A - 2]


@dataclass(frozen=True)
class Cell:
    cls: str
    n_players: int
    n_actions: int


@dataclass
class Settings:
    games: int
    starts: int
    iterations: int
    seed: int
    tol: float = 0.0


def _interior(x: np.ndarray) -> bool:
    """No share is (numpy.isclose) 1: the authors' test that a solution is not pure."""
    return not bool(np.any(np.isclose(x, 1.0)))


def run_cell(settings: Settings, cell: Cell) -> pd.DataFrame:
    """Every run of every game of one class × N × A cell (the unit of work)."""
    make = getattr(games, CLASSES[cell.cls])
    tables, rows = [], []
    starts_s, starts_r = [], []
    for g in range(settings.games):
        ss = np.random.SeedSequence(
            settings.seed, spawn_key=(list(CLASSES).index(cell.cls), cell.n_players, cell.n_actions, g)
        )
        game_seed, start_seed = (int(x) for x in ss.generate_state(2))
        focal = FocalPayoffs.from_game(make(cell.n_players, cell.n_actions, seed=game_seed))
        tables.append(focal.table)
        rng = np.random.default_rng(start_seed)
        starts_s.append(random_starts(cell.n_actions, settings.starts, rng))
        starts_r.append(random_starts(cell.n_actions, settings.starts, rng))
        x, v, ok = slsqp_runs(focal, starts_s[-1], ftol=1e-10)
        for i in range(settings.starts):
            rows.append((g, "slsqp", i, float(v[i]), bool(ok[i]), np.nan, _interior(x[i])))
    batch = FocalPayoffs(np.repeat(np.array(tables), settings.starts, axis=0), cell.n_players)
    run = replicator(
        batch,
        np.concatenate(starts_r),
        step=1.0 / SCALE,
        iterations=settings.iterations,
        tol=settings.tol,
        normalize=False,
    )
    for j in range(len(run.value)):
        rows.append(
            (
                j // settings.starts,
                "replicator",
                j % settings.starts,
                float(run.value[j]),
                bool(run.converged[j]),
                int(run.steps[j]),
                _interior(run.shares[j]),
            )
        )
    out = pd.DataFrame(rows, columns=["game", "method", "start", "value", "ok", "steps", "interior"])
    pure = pure_symmetric_values(FocalPayoffs(np.array(tables), cell.n_players)).max(axis=1)
    out["best_pure"] = pure[out["game"].to_numpy()]
    # the authors' per-run flag: no share close to 1, value strictly above the best pure one
    out["mixed_seed_rule"] = out["interior"] & (out["value"] > out["best_pure"])
    out = out.drop(columns="interior")
    out.insert(0, "A", cell.n_actions)
    out.insert(0, "N", cell.n_players)
    out.insert(0, "class", cell.cls)
    return out


def per_game(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per game (best value, mixed?, runs reaching the best); runs get ``reaches_best``."""
    best = runs.groupby(["class", "N", "A", "game"])["value"].transform("max")
    runs = runs.assign(reaches_best=runs["value"] >= best - REACH_TOL)
    g = runs.groupby(["class", "N", "A", "game"])
    out = g.agg(best=("value", "max"), best_pure=("best_pure", "first")).reset_index()
    out["mixed"] = out["best"] > out["best_pure"] + MIXED_TOL
    # the authors' per-game flag: the method with the higher best value (SLSQP on ties), and
    # the column-wise maximum over its runs (any of its runs flagged)
    by = runs.groupby(["class", "N", "A", "game", "method"])
    best_m = by["value"].max().unstack("method")
    any_m = by["mixed_seed_rule"].max().unstack("method")
    winner_slsqp = (best_m["slsqp"] >= best_m["replicator"]).to_numpy()
    out["mixed_seed_rule"] = np.where(winner_slsqp, any_m["slsqp"].to_numpy(), any_m["replicator"].to_numpy())
    for m in ("slsqp", "replicator"):
        sub = runs[runs.method == m].groupby(["class", "N", "A", "game"])["reaches_best"]
        out[f"reached_{m}"] = sub.sum().to_numpy()
        out[f"runs_{m}"] = sub.size().to_numpy()
    return out, runs


def summarise(games_df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (cls, n, a), g in games_df.groupby(["class", "N", "A"]):
        row = {"class": cls, "N": n, "A": a, "games": len(g)}

        def put(name, k, total, row=row):
            p, lo, hi = proportion_ci(int(k), int(total))
            row[name], row[f"{name}_ci_low"], row[f"{name}_ci_high"] = p, lo, hi

        put("mixed", g["mixed"].sum(), len(g))
        put("mixed_seed_rule", g["mixed_seed_rule"].sum(), len(g))
        for m in ("slsqp", "replicator"):
            put(f"single_{m}", g[f"reached_{m}"].sum(), g[f"runs_{m}"].sum())
            put(f"any_{m}", (g[f"reached_{m}"] > 0).sum(), len(g))
        for (metric, c), table in PAPER.items():
            if c == cls:
                row[f"paper_{metric}"] = table[n - 2][a - 2]
        rows.append(row)
    return pd.DataFrame(rows)


def heatmaps(summary: pd.DataFrame, out: Path) -> list[Path]:
    from matplotlib.figure import Figure

    paths = []
    specs = [
        ("heatmap_mixed.png", ["mixed"], "fraction of games whose best symmetric optimum is mixed"),
        ("heatmap_single.png", ["single_slsqp", "single_replicator"], "fraction of single runs reaching the best"),
        ("heatmap_any.png", ["any_slsqp", "any_replicator"], "fraction of games where ≥1 of the runs reaches the best"),
    ]
    classes = [c for c in CLASSES if c in set(summary["class"])]
    for fname, metrics, title in specs:
        fig = Figure(figsize=(3.4 * len(classes) + 0.8, 3.0 * len(metrics) + 0.6), layout="constrained")
        axes = np.atleast_2d(fig.subplots(len(metrics), len(classes), squeeze=False))
        for i, metric in enumerate(metrics):
            for j, cls in enumerate(classes):
                ax = axes[i, j]
                part = summary[summary["class"] == cls].pivot(index="N", columns="A", values=metric)
                im = ax.imshow(part.to_numpy(), vmin=0, vmax=1, cmap="viridis", origin="upper")
                for (r, c), v in np.ndenumerate(part.to_numpy()):
                    ax.text(
                        c, r, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if v < 0.6 else "black"
                    )
                ax.set_xticks(range(part.shape[1]), part.columns)
                ax.set_yticks(range(part.shape[0]), part.index)
                ax.set_xlabel("actions A")
                ax.set_ylabel("players N")
                ax.set_title(f"{cls}: {metric.replace('_', ' ')}", fontsize="small")
        fig.colorbar(im, ax=axes, shrink=0.8)
        fig.suptitle(title)
        path = out / fname
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--games", type=int, default=100)
    p.add_argument("--starts", type=int, default=10, help="runs per method per game")
    p.add_argument("--iterations", type=int, default=10_000, help="replicator Euler steps (cap)")
    p.add_argument(
        "--tol",
        type=float,
        default=0.0,
        help="stop a replicator run once no share moves more than this (0: always run all iterations)",
    )
    p.add_argument("--players", type=int, nargs=2, default=(2, 5), metavar=("MIN", "MAX"))
    p.add_argument("--actions", type=int, nargs=2, default=(2, 5), metavar=("MIN", "MAX"))
    p.add_argument("--classes", nargs="+", default=list(CLASSES), choices=list(CLASSES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", default="results/symmetric_gamut")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = Settings(args.games, args.starts, args.iterations, args.seed, args.tol)
    cells = [
        Cell(c, n, a)
        for c in args.classes
        for n in range(args.players[0], args.players[1] + 1)
        for a in range(args.actions[0], args.actions[1] + 1)
    ]
    cells.sort(key=lambda c: -(c.n_players + c.n_actions))  # big cells first: better load balance
    started = time.perf_counter()
    with Executor(run_cell, settings, workers=args.workers, chunk_size=1) as ex:
        runs = pd.concat(list(ex.map(cells)), ignore_index=True)
    elapsed = time.perf_counter() - started
    runs = runs.sort_values(["class", "N", "A", "game", "method", "start"], ignore_index=True)
    games_df, runs = per_game(runs)
    summary = summarise(games_df)
    runs.to_csv(out / "runs.csv", index=False)
    games_df.to_csv(out / "games.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    heatmaps(summary, out)
    budget = {
        "wall_seconds": round(elapsed, 1),
        "workers": args.workers,
        "cells": len(cells),
        "games_per_cell": args.games,
        "runs_per_game": 2 * args.starts,
        "replicator_iterations_cap": args.iterations,
        "replicator_tol": args.tol,
        "replicator_steps_mean": round(float(runs.loc[runs.method == "replicator", "steps"].mean()), 1),
        "slsqp_success": round(float(runs.loc[runs.method == "slsqp", "ok"].mean()), 4),
        "total_runs": int(len(runs)),
    }
    (out / "budget.json").write_text(json.dumps(budget, indent=2) + "\n")
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.float_format", "{:.2f}".format):
        cols = [
            "class",
            "N",
            "A",
            "mixed",
            "mixed_seed_rule",
            "single_slsqp",
            "single_replicator",
            "any_slsqp",
            "any_replicator",
        ]
        print(summary[cols].to_string(index=False))
    print(f"\n{len(runs)} runs in {elapsed:.1f} s on {args.workers} worker(s); results in {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
