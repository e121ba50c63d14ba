"""Peak memory of one long 2-player match (target: a 10^7-turn match under 300 MB).

Each measurement runs in a fresh Python process that imports the package, then plays one
``play_match`` of ``--turns`` rounds of the prisoner's dilemma, tit-for-tat vs
win-stay-lose-shift with noise 0.05, and takes its mean payoffs. Printed per engine: the time,
the process's peak resident set (``ru_maxrss``), the same before the match (``baseline``: the
interpreter and the imported libraries) and their difference, the match's own peak.
Engines: the per-round engine (``engine="python"``: the strategies' hooks every round, a
history per seat) and the automaton engine (``engine="automaton"``).

    PYTHONPATH=. python benchmarks/match_memory.py [--turns 10000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from tournament import games, play_match
    turns, engine = int(sys.argv[1]), sys.argv[2]
    game = games.get("prisoners_dilemma")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    m = play_match(game, ["tit_for_tat", "win_stay_lose_shift"], turns=turns, noise=0.05, seed=1, engine=engine)
    means = m.mean_payoffs
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"turns": m.turns, "seconds": seconds, "baseline": base * 1024, "process_peak": rss * 1024,
                      "means": means.tolist()}))
""")


def measure(turns: int, engine: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(turns), engine], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--turns", type=int, default=10**7)
    args = ap.parse_args(argv)
    mb = 1 << 20
    print(f"one {args.turns:,}-turn match, prisoner's dilemma, noise 0.05, tit-for-tat vs win-stay-lose-shift")
    print(f"{'engine':12s} {'seconds':>8s} {'process peak':>13s} {'baseline':>9s} {'match peak':>11s}  target")
    for engine in ("python", "automaton"):
        r = measure(args.turns, engine)
        match = r["process_peak"] - r["baseline"]
        ok = "reached" if match < 300 * mb else "NOT reached"
        print(f"{engine:12s} {r['seconds']:8.2f} {r['process_peak'] / mb:11.1f}MB {r['baseline'] / mb:7.1f}MB "
              f"{match / mb:9.1f}MB  {ok} (match peak < 300 MB)")


if __name__ == "__main__":
    main()
