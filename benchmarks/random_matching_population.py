"""A large ``random_matching`` population: rounds per second with 10^4+ individuals.

Every round the N individuals (5 PD strategy types in equal numbers, 1% noise) are shuffled
into N/2 pairs that play one stage game, and each individual keeps its own strategy
instance and history across partners. Prints rounds per second and stage games per second
for 1 and 2 worker processes (runs are the unit of parallel work), and, as the peer in the
same process, the stage-game rate of an ordinary round robin of the same strategies (the
match engine's rounds per second): the ratio is the cost of re-pairing everyone every round.

    PYTHONPATH=. python benchmarks/random_matching_population.py [--individuals 10000] [--rounds 50] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from tournament import run_scenario

TYPES = ("tit_for_tat", "win_stay_lose_shift", "always_defect", "generous_tit_for_tat", "random")


def population(n: int, rounds: int, runs: int) -> dict:
    return {
        "name": "big population",
        "seed": 7,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": "random_matching", "turns": rounds, "runs": runs, "generations": 1, "noise": 0.01},
        "entrants": [{"strategy": s, "count": n // len(TYPES)} for s in TYPES],
        "report": {"plots": False},
    }


def round_robin(turns: int) -> dict:
    return {
        "name": "peer",
        "seed": 7,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": turns, "repetitions": 20, "noise": 0.01, "self_play": True},
        "entrants": [{"strategy": s} for s in TYPES],
        "report": {"plots": False, "traces": 0},
    }


def timed(sc: dict, workers: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        run_scenario(sc, out=Path(d), workers=workers)
        return json.loads((Path(d) / "run_info.json").read_text())["elapsed_seconds"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--individuals", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    n = args.individuals - args.individuals % len(TYPES)
    sc = population(n, args.rounds, args.runs)
    games_per_round = n // 2
    print(
        f"random matching: {n} individuals, {args.rounds} rounds x {args.runs} runs, "
        f"{games_per_round} stage games per round"
    )
    print(f"{'workers':>8s} {'seconds':>8s} {'rounds/s':>9s} {'stage games/s':>14s}")
    rates = {}
    for workers in (1, 2):
        secs = timed(sc, workers)
        rounds = args.rounds * args.runs
        rates[workers] = rounds * games_per_round / secs
        print(f"{workers:8d} {secs:8.2f} {rounds / secs:9.2f} {rates[workers]:14.0f}")
    peer = round_robin(200)
    secs = timed(peer, 1)
    k = len(TYPES)
    peer_rate = (k * (k + 1) // 2) * 20 * 200 / secs
    print(f"\npeer: round robin of the same {k} types, 1 worker: {peer_rate:.0f} match rounds/s")
    print(f"random matching / round robin stage-game rate (1 worker): {rates[1] / peer_rate:.2f}")


if __name__ == "__main__":
    main()
