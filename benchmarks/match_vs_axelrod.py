"""One long match, ours vs the Axelrod library (issue 11, benchmark 1a).

Two matches of ``--turns`` rounds (default 10^5) on Axelrod's prisoner's dilemma:
tit-for-tat vs random, and tit-for-tat vs win-stay-lose-shift with noise 0.05. Ours is
``play_match(...)`` (default engine: these classics are finite automata, so the match runs
on the automaton engine) and, for reference, ``play_match(..., engine="python")`` (the
per-round engine calling the strategies' hooks every round); Axelrod's is
``axelrod.Match(...).play()``. Both sides build the full action history; ours also returns
the payoff arrays. Target: ours <= 0.5x Axelrod's time on both matches.

    PYTHONPATH=. python benchmarks/match_vs_axelrod.py [--turns 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse

from _common import axelrod, best_of_each, rate, verdict

from tournament import games, play_match

MATCHES = [
    ("tit_for_tat vs random", ("tit_for_tat", "random"), ("TitForTat", "Random"), 0.0),
    (
        "tit_for_tat vs win_stay_lose_shift, noise 0.05",
        ("tit_for_tat", "win_stay_lose_shift"),
        ("TitForTat", "WinStayLoseShift"),
        0.05,
    ),
]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--turns", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    axl = axelrod()
    game = games.get("axelrod_pd")
    print(
        f"one match of {args.turns:,} rounds, best of {args.repeats}; ours: play_match, "
        f"axelrod: Match.play{'' if axl else ' (axelrod not installed: ours only)'}"
    )
    print(
        f"{'match':48s} {'ours':>8s} {'ours/python':>11s} {'axelrod':>8s} {'ours/axl':>9s} "
        f"{'python/axl':>10s}  stage games/s (ours, axelrod)"
    )
    for label, ours_names, axl_names, noise in MATCHES:
        # each closure binds this row's values: they are timed within this iteration, but say so
        fns = {
            "ours": lambda names=ours_names, noise=noise: play_match(
                game, list(names), turns=args.turns, noise=noise, seed=1
            ),
            "python": lambda names=ours_names, noise=noise: play_match(
                game, list(names), turns=args.turns, noise=noise, seed=1, engine="python"
            ),
        }
        if axl is not None:
            fns["theirs"] = lambda names=axl_names, noise=noise: axl.Match(
                tuple(getattr(axl, n)() for n in names), turns=args.turns, noise=noise, seed=1
            ).play()
        t = best_of_each(fns, args.repeats)
        ours, python = t["ours"], t["python"]
        if axl is None:
            print(f"{label:48s} {ours:8.3f} {python:11.3f}")
            continue
        theirs = t["theirs"]
        print(
            f"{label:48s} {ours:8.3f} {python:11.3f} {theirs:8.3f} {ours / theirs:9.3f} {python / theirs:10.3f}"
            f"  {rate(args.turns, ours)}, {rate(args.turns, theirs)}  {verdict(ours / theirs, 0.5)}"
        )


if __name__ == "__main__":
    main()
