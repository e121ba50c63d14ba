"""Moran process: ours vs the Axelrod library's ``MoranProcess`` — same answer, how fast?

A population of N − 1 residents and one mutant on Axelrod's PD (R=3, S=0, T=5, P=1), matches
of 20 turns. Axelrod's process (birth-death, fitness = total score against everyone) plays
every pair's match each generation; ours estimates the types' payoffs once from matches and
then runs the same birth-death process on them (``fitness = "linear"``, w = 1: fitness
proportional to the mean payoff, the same ratios). Prints both fixation frequencies with
Wilson intervals, our exact value, and both times (one process each).

    PYTHONPATH=. python benchmarks/moran_vs_axelrod.py [--runs 300] [--n 10]
"""

from __future__ import annotations

import argparse
import time
import warnings

from tournament import run_scenario
from tournament.analysis.stats import proportion_ci

CASES = [
    ("tit_for_tat", "TitForTat", "always_defect", "Defector"),
    ("always_cooperate", "Cooperator", "always_defect", "Defector"),
    ("always_defect", "Defector", "tit_for_tat", "TitForTat"),
]


def ours(resident: str, mutant: str, n: int, runs: int) -> tuple[float, float, dict]:
    sc = {
        "name": "bench",
        "seed": 1,
        "game": {"name": "axelrod_pd"},
        "tournament": {"kind": "moran", "turns": 20, "runs": runs, "fitness": "linear", "selection_intensity": 1.0},
        "entrants": [
            {"strategy": resident, "name": "resident", "count": n - 1},
            {"strategy": mutant, "name": "mutant"},
        ],
        "report": {"plots": False, "traces": 0},
    }
    t = time.perf_counter()
    r = run_scenario(sc)
    elapsed = time.perf_counter() - t
    fix = {f["type"]: f for f in r.summary["population"]["fixation"]}["mutant"]
    return elapsed, fix["probability"], fix


def axelrod_runs(resident: str, mutant: str, n: int, runs: int) -> tuple[float, int]:
    import axelrod as axl

    t = time.perf_counter()
    wins = 0
    for seed in range(runs):
        players = [getattr(axl, resident)() for _ in range(n - 1)] + [getattr(axl, mutant)()]
        mp = axl.MoranProcess(players, turns=20, seed=seed)
        mp.play()
        wins += mp.winning_strategy_name == str(players[-1])
    return time.perf_counter() - t, wins


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--n", type=int, default=10)
    args = p.parse_args()
    warnings.filterwarnings("ignore")
    for ours_res, axl_res, ours_mut, axl_mut in CASES:
        t_ours, p_ours, fix = ours(ours_res, ours_mut, args.n, args.runs)
        t_axl, wins = axelrod_runs(axl_res, axl_mut, args.n, args.runs)
        _, lo, hi = proportion_ci(wins, args.runs)
        print(
            f"{ours_mut} mutant among {args.n - 1} {ours_res}: "
            f"ours {p_ours:.3f} [{fix['ci_low']:.3f}, {fix['ci_high']:.3f}] (exact {fix['exact']:.3f}) in {t_ours:.2f} s; "
            f"axelrod {wins / args.runs:.3f} [{lo:.3f}, {hi:.3f}] in {t_axl:.2f} s; "
            f"speed-up {t_axl / t_ours:.1f}x"
        )


if __name__ == "__main__":
    main()
