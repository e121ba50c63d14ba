"""Peak memory of one long 2-player match (target: a 10^7-turn match under 300 MB).

Each measurement runs in a fresh Python process that imports the package, then plays one
``play_match`` of ``--turns`` rounds of the prisoner's dilemma with noise 0.05 and builds its
result (actions, payoffs, mean payoffs). Printed per pairing:

- ``match peak``: the peak of memory allocated during the match (``tracemalloc``, which sees
  numpy's and Python's allocations), i.e. what the match itself costs;
- ``process peak``: the process's peak resident set (``ru_maxrss``), which adds the interpreter
  and the imported libraries (``baseline``: the same process before the match).

Pairings: tit-for-tat vs win-stay-lose-shift through the per-round engine (Python strategies),
the same pair as finite automata (``play_match(..., engine="automaton")``), and one strategy
that reads its whole history every round would be quadratic, so it is not included.

    PYTHONPATH=. python benchmarks/match_memory.py [--turns 10000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import json, resource, sys, time, tracemalloc
    from tournament import games, play_match
    turns, engine = int(sys.argv[1]), sys.argv[2]
    game = games.get("prisoners_dilemma")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t = time.perf_counter()
    m = play_match(game, ["tit_for_tat", "win_stay_lose_shift"], turns=turns, noise=0.05, seed=1, engine=engine)
    means = m.mean_payoffs
    seconds = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"turns": m.turns, "seconds": seconds, "match_peak": peak, "baseline": base * 1024,
                      "process_peak": rss * 1024, "means": means.tolist()}))
""")


def measure(turns: int, engine: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(turns), engine], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=10**7)
    args = ap.parse_args()
    mb = 1 << 20
    print(f"one {args.turns:,}-turn match, prisoner's dilemma, noise 0.05, tit-for-tat vs win-stay-lose-shift")
    print(f"{'engine':12s} {'seconds':>8s} {'match peak':>11s} {'process peak':>13s} {'baseline':>9s}  target")
    for engine in ("python", "automaton"):
        r = measure(args.turns, engine)
        ok = "OK" if r["process_peak"] < 300 * mb else "ABOVE"
        print(f"{engine:12s} {r['seconds']:8.2f} {r['match_peak'] / mb:9.1f}MB {r['process_peak'] / mb:11.1f}MB "
              f"{r['baseline'] / mb:7.1f}MB  {ok} (process peak < 300 MB)")


if __name__ == "__main__":
    main()
