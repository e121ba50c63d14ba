"""Peak memory of one long 2-player match (default 10^7 turns), before (v0.1) and after.

Two workloads, each in a fresh process, for this tree and for the revision ``--before``
(default: v0.1 as checked from outside, before the hardening of issue 15):

- **engine**: ``tasks.play_task`` of one match between tit-for-tat and random (the engine,
  the per-match analysis and the kept per-round arrays: what a worker does per match);
- **end to end**: ``run_scenario`` of that match into a results folder (checkpoint, the
  streamed ``matches.csv``/``rounds.npz``, summary, report without plots).

For each it prints the peak resident memory of the process, the memory after a warm-up run
of 10 turns (libraries loaded), their difference (the match's own peak) in bytes per turn,
the time, and the ratio after/before. The target (issue 15, the engine's part is issue 11's)
is a 10^7-turn match under 300 MB.

    PYTHONPATH=. python benchmarks/memory_match.py [--turns 10000000] [--before REV]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _memory import BEFORE, PEAK, ROOT, measure, tree_at

ENGINE = (
    PEAK
    + """
import json, sys, time
from tournament import games
from tournament.scenario import EntrantSpec
from tournament.execution.tasks import MatchContext, MatchTask, play_task
T = int(sys.argv[1])
g = games.get("prisoners_dilemma")
ents = [EntrantSpec("tit_for_tat", "tft"), EntrantSpec("random", "random")]
def ctx(turns):
    return MatchContext(game=g, entrants=ents, turns=turns, prob_end=None, noise=0.0, seed=1, keep_traces=1)
play_task(ctx(10), MatchTask(0, 0, (0, 1)))
base = peak_mb()
t = time.perf_counter()
rec = play_task(ctx(T), MatchTask(1, 0, (0, 1)))
print(json.dumps({"base": base, "peak": peak_mb(), "seconds": time.perf_counter() - t}))
"""
)

END_TO_END = (
    PEAK
    + """
import json, sys, tempfile, time
from pathlib import Path
from tournament import run_scenario
T = int(sys.argv[1])
def sc(turns):
    return {"name": "long match", "seed": 1, "game": {"name": "prisoners_dilemma"}, "tournament": {"turns": turns},
            "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "random"}], "report": {"plots": False}}
with tempfile.TemporaryDirectory() as tmp:
    run_scenario(sc(10), out=Path(tmp) / "warm")
    base = peak_mb()
    t = time.perf_counter()
    run_scenario(sc(T), out=Path(tmp) / "out")
    print(json.dumps({"base": base, "peak": peak_mb(), "seconds": time.perf_counter() - t}))
"""
)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--turns", type=int, default=10_000_000)
    ap.add_argument("--before", default=BEFORE, help="revision to compare against (default: v0.1; 'none' skips it)")
    args = ap.parse_args(argv)
    print(
        f"one 2-player match of {args.turns:,} turns (tit-for-tat vs random, prisoner's dilemma); "
        "peak resident memory of a fresh process"
    )
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"after": ROOT}
        before = tree_at(args.before, Path(tmp) / "before")
        if before is not None:
            trees = {f"before ({args.before})": before, "after": ROOT}
        print(
            f"{'workload':12s} {'version':18s} {'peak MB':>9s} {'libs MB':>9s} {'match MB':>9s} "
            f"{'B/turn':>7s} {'s':>7s}"
        )
        for name, code in (("engine", ENGINE), ("end to end", END_TO_END)):
            got = {}
            for version, tree in trees.items():
                r = measure(tree, code, str(args.turns))
                own = r["peak"] - r["base"]
                got[version] = r
                print(
                    f"{name:12s} {version:18s} {r['peak']:9.1f} {r['base']:9.1f} {own:9.1f} "
                    f"{own * 2**20 / args.turns:7.1f} {r['seconds']:7.1f}"
                )
            if len(got) == 2:
                b, a = got.values()
                print(
                    f"{'':12s} after/before: peak {a['peak'] / b['peak']:.2f}x, "
                    f"match's own {(a['peak'] - a['base']) / max(1e-9, b['peak'] - b['base']):.2f}x"
                )
        print("target: a 10^7-turn 2-player match under 300 MB (peak of the process)")


if __name__ == "__main__":
    main()
