"""How the infra-Bayesian haggler scales (issue 5).

Two hagglers (ambitious preset, passwords up to N actions, loops up to 3 pairs) play the
seed's prisoner's dilemma against each other. For hypothesis spaces of ~10³ … 10⁶ per
agent it prints the preparation time (build + solve), the peak memory of the process, the
time per round and the hypothesis-updates per second (Σ over rounds and agents of the
consistent-set size, divided by the match time); then, at ~10⁵ hypotheses, how the time
per round behaves as the match grows longer. Every measurement runs in a fresh process so
that the peak memory and the preparation time belong to that size alone.

Targets (issue 5): a haggler-vs-haggler seed-PD match with ≥ 10⁵ hypotheses per agent plays
10⁴ rounds in under 10 s (preparation included); memory under 2 GiB at 10⁶ hypotheses;
cost per round linear or better in the hypothesis count.

    PYTHONPATH=. python benchmarks/haggler_scaling.py            # full run (~3 minutes)
    PYTHONPATH=. python benchmarks/haggler_scaling.py --quick    # sizes up to 10⁵ only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SIZES = [  # max_password N with max_loop 3: 66 loops worth more than ⊤ on the seed PD
    (3, 10_000),
    (7, 10_000),
    (10, 10_000),
    (13, 2_000),
]
ROUND_COUNTS = [1_000, 10_000, 30_000]


def child(N: int, turns: int) -> dict:
    """One measurement (runs in its own process)."""
    import numpy as np

    import tournament
    from strategies.haggler import IBHaggler

    game = tournament.games.get("prisoners_dilemma")
    params = dict(prior="ambitious", max_password=N, max_loop=3, max_hypotheses=2_000_000)
    started = time.perf_counter()
    prep = IBHaggler(**params).prepare(game, 0)
    prepared = time.perf_counter()
    m = tournament.play_match(game, [IBHaggler(**params), IBHaggler(**params)], turns=turns, seed=1)
    done = time.perf_counter()
    consistent = sum(int(np.sum(t["consistent"], dtype=np.int64)) for t in m.traces)
    match_s = done - prepared
    info = prep.solved.info
    return {
        "N": N,
        "turns": turns,
        "hypotheses": info["hypotheses"],
        "rows": info["rows"],
        "prepare_s": prepared - started,
        "solve_s": info["seconds_solve"],
        "match_s": match_s,
        "total_s": done - started,
        "ms_per_round": 1e3 * match_s / turns,
        "updates_per_s": consistent / match_s,
        "mean_consistent": consistent / (2 * turns),
        "switches": [len(s.switches) for s in m.strategies],
        "space_MiB": info["bytes"] / 2**20,
        "peak_MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "payoffs_last_100": m.payoffs[-100:].mean(axis=0).round(3).tolist(),
    }


def measure(N: int, turns: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(N), str(turns)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 10⁶ size")
    ap.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return

    sizes = SIZES[:-1] if args.quick else SIZES
    print("Haggler vs haggler, seed PD, ambitious preset, loops up to 3 pairs; one fresh process per row\n")
    print(
        f"{'N':>3} {'hypotheses':>11} {'rows':>11} {'prepare s':>10} {'rounds':>7} {'match s':>8} "
        f"{'ms/round':>9} {'mean |C|':>10} {'updates/s':>11} {'peak MiB':>9}"
    )
    results = []
    for N, turns in sizes:
        r = measure(N, turns)
        results.append(r)
        print(
            f"{N:>3} {r['hypotheses']:>11,} {r['rows']:>11,} {r['prepare_s']:>10.2f} {turns:>7,} "
            f"{r['match_s']:>8.2f} {r['ms_per_round']:>9.3f} {r['mean_consistent']:>10,.0f} "
            f"{r['updates_per_s']:>11.3g} {r['peak_MiB']:>9.0f}"
        )
    print("\nCost per round per consistent hypothesis (linear scaling keeps this flat or falling):")
    for r in results:
        print(
            f"  {r['hypotheses']:>11,} hypotheses: {1e9 * r['match_s'] / r['turns'] / (2 * r['mean_consistent']):.2f} ns"
        )

    print("\nRounds sweep at N = 10 (time per round as the match grows; |C| shrinks as hypotheses fall):")
    print(f"{'rounds':>7} {'match s':>8} {'ms/round':>9} {'mean |C|':>10} {'updates/s':>11}")
    for turns in ROUND_COUNTS:
        r = measure(10, turns)
        print(
            f"{turns:>7,} {r['match_s']:>8.2f} {r['ms_per_round']:>9.3f} {r['mean_consistent']:>10,.0f} {r['updates_per_s']:>11.3g}"
        )

    print("\nTargets:")
    target = next(r for r in results if r["N"] == 10)
    ok = target["hypotheses"] >= 1e5 and target["total_s"] < 10
    print(
        f"  {target['hypotheses']:,} hypotheses per agent, 10,000 rounds: {target['total_s']:.2f} s "
        f"(preparation {target['prepare_s']:.2f} s + match {target['match_s']:.2f} s) -> "
        f"{'PASS' if ok else 'FAIL'} (< 10 s)"
    )
    big = [r for r in results if r["hypotheses"] >= 1e6]
    if big:
        r = big[0]
        print(
            f"  {r['hypotheses']:,} hypotheses: peak memory {r['peak_MiB']:.0f} MiB -> "
            f"{'PASS' if r['peak_MiB'] < 2048 else 'FAIL'} (< 2048 MiB)"
        )


if __name__ == "__main__":
    main()
