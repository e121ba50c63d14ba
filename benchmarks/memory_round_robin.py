"""Peak memory of a large round robin written to a results folder, before (v0.1) and after,
at two sizes: does the peak grow with the number of matches?

N entrants (classic strategies, numbered copies) on the prisoner's dilemma with 2% noise (so
no match is cached), every pair once, ``--turns`` rounds, per-round data kept for every
match (``[report] traces = 1``, the default: the worst case for memory), no plots. Each run
is ``run_scenario(..., out=DIR)`` in a fresh process, for this tree and for the revision
``--before`` (default v0.1). Printed: matches, peak resident memory, memory after a small
warm-up run (libraries loaded), the run's own peak, and per version the growth of the peak
per extra match between the two sizes. v0.1 kept every match record (row and rounds) in
memory until the end; now rows and rounds are written as matches arrive and only a compact
table of the rows stays, so the growth per match is that table's row.

    PYTHONPATH=. python benchmarks/memory_round_robin.py [--entrants 125,250] [--turns 200] [--before REV]
"""

from __future__ import annotations

import argparse
import tempfile
from math import comb
from pathlib import Path

from _memory import BEFORE, PEAK, ROOT, measure, tree_at

RUN = PEAK + """
import json, sys, tempfile, time
from pathlib import Path
from tournament import run_scenario
n, turns = int(sys.argv[1]), int(sys.argv[2])
CLASSICS = ["tit_for_tat", "grim", "random", "alternator", "always_defect", "always_cooperate",
            "win_stay_lose_shift", "tit_for_two_tats", "two_tits_for_tat", "suspicious_tit_for_tat"]
def sc(n, turns):
    return {"name": "memory", "seed": 1, "game": {"name": "prisoners_dilemma"},
            "tournament": {"turns": turns, "noise": 0.02}, "report": {"plots": False},
            "entrants": [{"strategy": CLASSICS[i % len(CLASSICS)], "name": f"{CLASSICS[i % len(CLASSICS)]} {i}"}
                         for i in range(n)]}
with tempfile.TemporaryDirectory() as tmp:
    run_scenario(sc(4, 10), out=Path(tmp) / "warm")
    base = peak_mb()
    t = time.perf_counter()
    run_scenario(sc(n, turns), out=Path(tmp) / "out")
    print(json.dumps({"base": base, "peak": peak_mb(), "seconds": time.perf_counter() - t}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entrants", default="125,250", help="two (or more) sizes, comma-separated")
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--before", default=BEFORE, help="revision to compare against (default: v0.1)")
    args = ap.parse_args()
    sizes = [int(x) for x in args.entrants.split(",")]
    print(f"round robin on the prisoner's dilemma, {args.turns} turns, 2% noise, rounds of every match kept, "
          "1 worker; peak resident memory of a fresh process")
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"after": ROOT}
        before = tree_at(args.before, Path(tmp) / "before")
        if before is not None:
            trees = {f"before ({args.before})": before, "after": ROOT}
        print(f"{'version':18s} {'entrants':>8s} {'matches':>8s} {'peak MB':>9s} {'libs MB':>9s} {'run MB':>8s} "
              f"{'s':>7s}")
        growth = {}
        for version, tree in trees.items():
            rows = []
            for n in sizes:
                r = measure(tree, RUN, str(n), str(args.turns))
                m = comb(n, 2)
                rows.append((m, r))
                print(f"{version:18s} {n:8d} {m:8d} {r['peak']:9.1f} {r['base']:9.1f} {r['peak'] - r['base']:8.1f} "
                      f"{r['seconds']:7.1f}")
            (m0, r0), (m1, r1) = rows[0], rows[-1]
            growth[version] = (r1["peak"] - r0["peak"]) * 2**20 / (m1 - m0)
            print(f"{'':18s} peak growth per extra match: {growth[version]:,.0f} bytes "
                  f"({(r1['peak'] - r0['peak']):.1f} MB for {m1 - m0:,} more matches)")
        if len(growth) == 2:
            b, a = growth.values()
            print(f"after/before growth per match: {a / b:.3f}x")


if __name__ == "__main__":
    main()
