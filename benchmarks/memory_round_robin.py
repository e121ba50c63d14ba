"""Peak memory of a large round robin written to a results folder, before (v0.1) and after:
does the peak grow with the number of matches?

``--entrants`` entrants (default 250: classic strategies, numbered copies) on the prisoner's
dilemma with 2% noise (so no match is cached), every pair, ``--turns`` rounds, per-round data
kept for every match of the first repetition (``[report] traces = 1``, the default), no
plots; the number of matches is varied by the repetitions (``--repetitions 1,2``), so that
everything that depends on the entrants and pairings (standings, the per-pairing rates of the
summary, the report) is the same and only the number of matches changes. Each run is
``run_scenario(..., out=DIR)`` in a fresh process, for this tree and for the revision
``--before`` (default v0.1). Printed per run: matches, the peak resident memory while the
matches are played and streamed (up to the summary), the peak of the whole run (summary and
report included), the memory after a small warm-up run (libraries loaded); per version, the
growth of each peak per extra match.

v0.1 kept every match record (row and per-round arrays) in memory until the end, and, under
Mesa < 3.4, every match model with its history (mesa#3179); now rows and rounds are written
as matches arrive, models are released, and only a compact table of the rows stays.

    PYTHONPATH=. python benchmarks/memory_round_robin.py [--entrants 250] [--repetitions 1,2] [--turns 100]
"""

from __future__ import annotations

import argparse
import tempfile
from math import comb
from pathlib import Path

from _memory import BEFORE, PEAK, ROOT, measure, tree_at

RUN = (
    PEAK
    + """
import json, sys, tempfile, time
from pathlib import Path
import tournament.runner as runner
from tournament import run_scenario
n, turns, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
played = {}
summarise = runner.build_summary
def build_summary(*args, **kw):  # the matches are done: note the peak so far
    played.setdefault("peak", peak_mb())
    return summarise(*args, **kw)
runner.build_summary = build_summary
CLASSICS = ["tit_for_tat", "grim", "random", "alternator", "always_defect", "always_cooperate",
            "win_stay_lose_shift", "tit_for_two_tats", "two_tits_for_tat", "suspicious_tit_for_tat"]
def sc(n, turns, reps=1):
    return {"name": "memory", "seed": 1, "game": {"name": "prisoners_dilemma"},
            "tournament": {"turns": turns, "noise": 0.02, "repetitions": reps}, "report": {"plots": False},
            "entrants": [{"strategy": CLASSICS[i % len(CLASSICS)], "name": f"{CLASSICS[i % len(CLASSICS)]} {i}"}
                         for i in range(n)]}
with tempfile.TemporaryDirectory() as tmp:
    run_scenario(sc(4, 10), out=Path(tmp) / "warm")
    played.clear()
    base = peak_mb()
    t = time.perf_counter()
    run_scenario(sc(n, turns, reps), out=Path(tmp) / "out")
    print(json.dumps({"base": base, "played": played["peak"], "peak": peak_mb(), "seconds": time.perf_counter() - t}))
"""
)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entrants", type=int, default=250)
    ap.add_argument("--repetitions", default="1,2", help="two (or more) repetition counts, comma-separated")
    ap.add_argument("--turns", type=int, default=100)
    ap.add_argument("--before", default=BEFORE, help="revision to compare against (default: v0.1; 'none' skips it)")
    args = ap.parse_args(argv)
    reps = [int(x) for x in args.repetitions.split(",")]
    pairs = comb(args.entrants, 2)
    print(
        f"round robin of {args.entrants} entrants ({pairs:,} pairings) on the prisoner's dilemma, {args.turns} "
        "turns, 2% noise, rounds of the first repetition kept, no plots, 1 worker; peak resident memory (MB) of "
        "a fresh process"
    )
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"after": ROOT}
        before = tree_at(args.before, Path(tmp) / "before")
        if before is not None:
            trees = {f"before ({args.before})": before, "after": ROOT}
        print(f"{'version':18s} {'matches':>8s} {'libs':>7s} {'playing':>8s} {'whole run':>9s} {'s':>7s}")
        growth = {}
        for version, tree in trees.items():
            rows = []
            for r_ in reps:
                r = measure(tree, RUN, str(args.entrants), str(args.turns), str(r_))
                m = pairs * r_
                rows.append((m, r))
                print(f"{version:18s} {m:8d} {r['base']:7.1f} {r['played']:8.1f} {r['peak']:9.1f} {r['seconds']:7.1f}")
            (m0, r0), (m1, r1) = rows[0], rows[-1]
            growth[version] = {k: (r1[k] - r0[k]) * 2**20 / (m1 - m0) for k in ("played", "peak")}
            print(
                f"{'':18s} growth per extra match: {growth[version]['played']:,.0f} B while playing, "
                f"{growth[version]['peak']:,.0f} B for the whole run ({m1 - m0:,} more matches)"
            )
        if len(growth) == 2:
            b, a = growth.values()
            print(
                f"after/before growth per match: {a['played'] / b['played']:.3f}x while playing, "
                f"{a['peak'] / b['peak']:.3f}x for the whole run (summary and report hold per-match data "
                "of their own)"
            )


if __name__ == "__main__":
    main()
