"""A noisy round robin of 52 entrants mixing finite automata and Python strategies, ours vs the
Axelrod library (issue 11, benchmark 1c).

200 turns, 5 repetitions, noise 0.05, self-play, Axelrod's prisoner's dilemma, one process.
Both sides play 40 classics with parameters (tit-for-tat and its relatives, generous
tit-for-tat at five forgiveness levels, random at nine cooperation probabilities, nine
cycles, go-by-majority at six memories) plus 12 strategies that keep Python state. Ours: those
40 are automata (batch engine) and the 12 are our learners (Hedge, fictitious play, regret
matching, softmax switchers; per-round engine). Axelrod's: the same 40, and 12 of its own
stateful strategies (Adaptive, the first-tournament entries, ...) — the same tournament size
and settings, not the same strategies. End to end on both sides: ours ``run_scenario`` with a
results folder and its report without plots; Axelrod ``Tournament.play()`` with its ResultSet.

    PYTHONPATH=. python benchmarks/mixed_round_robin.py [--turns 200] [--repetitions 5] [--repeats 1]
"""

from __future__ import annotations

import argparse
import tempfile
import warnings

from _common import axelrod, best_of_each, rate

from tournament import run_scenario

GTFT = (0.1, 0.2, 0.3, 0.4, 0.5)
RANDOM = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CYCLES = ("CCD", "CD", "CCCD", "CDD", "DDC", "CCCCD", "CCDD", "CDCCD", "DCC")
MAJORITY = ((0, True), (0, False), (5, True), (5, False), (20, True), (20, False))
PLAIN = {
    "always_cooperate": "Cooperator",
    "always_defect": "Defector",
    "tit_for_tat": "TitForTat",
    "grim": "Grudger",
    "win_stay_lose_shift": "WinStayLoseShift",
    "tit_for_two_tats": "TitFor2Tats",
    "two_tits_for_tat": "TwoTitsForTat",
    "suspicious_tit_for_tat": "SuspiciousTitForTat",
    "alternator": "Alternator",
    "bully": "Bully",
    "generous_tit_for_tat": "GTFT",
}
OURS_PYTHON = (
    [("hedge", {"learning_rate": r}) for r in (0.05, 0.1, 0.2)]
    + [("fictitious_play", {}), ("fictitious_play", {"ties": "first"}), ("fictitious_play", {"prior": 1.0})]
    + [("regret_matching", {}), ("regret_matching", {"variant": "unconditional"})]
    + [("softmax_switcher", {"alpha": a}) for a in (0.5, 1.0, 2.0, 4.0)]
)
AXL_PYTHON = [
    "Adaptive",
    "AdaptiveTitForTat",
    "Calculator",
    "FirstByDavis",
    "FirstByDowning",
    "FirstByFeld",
    "FirstByGrofman",
    "FirstByJoss",
    "FirstByShubik",
    "FirstByTullock",
    "Forgiver",
    "BushMosteller",
]


def our_entrants() -> list[dict]:
    out = [{"strategy": s} for s in PLAIN]
    out += [{"strategy": "generous_tit_for_tat", "name": f"gtft {p}", "params": {"p": p}} for p in GTFT]
    out += [{"strategy": "random", "name": f"random {p}", "params": {"p": p}} for p in RANDOM]
    out += [{"strategy": "cycler", "name": f"cycler {c}", "params": {"pattern": c}} for c in CYCLES]
    out += [
        {"strategy": "go_by_majority", "name": f"majority {m} {s}", "params": {"memory": m, "soft": s}}
        for m, s in MAJORITY
    ]
    out += [{"strategy": s, "name": f"{s} {i}", "params": p} for i, (s, p) in enumerate(OURS_PYTHON)]
    return out


def axelrod_players(axl) -> list:
    out = [getattr(axl, c)() for c in PLAIN.values()]
    out += [axl.GTFT(p=p) for p in GTFT] + [axl.Random(p=p) for p in RANDOM] + [axl.Cycler(cycle=c) for c in CYCLES]
    out += [axl.GoByMajority(memory_depth=m if m else float("inf"), soft=s) for m, s in MAJORITY]
    return out + [getattr(axl, c)() for c in AXL_PYTHON]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args(argv)
    entrants = our_entrants()
    n = len(entrants)
    sc = {
        "name": "mixed",
        "seed": 1,
        "game": {"name": "axelrod_pd"},
        "tournament": {"turns": args.turns, "repetitions": args.repetitions, "noise": 0.05, "self_play": True},
        "entrants": entrants,
        "report": {"plots": False},
    }
    stage_games = n * (n + 1) // 2 * args.repetitions * args.turns
    print(
        f"{n} entrants (40 automata + 12 Python), {args.turns} turns, {args.repetitions} repetitions, noise 0.05, "
        f"self-play: {stage_games:,} stage games; best of {args.repeats}"
    )

    def ours():
        with tempfile.TemporaryDirectory() as d:
            run_scenario(sc, out=d)

    axl = axelrod()
    if axl is None:
        mine = best_of_each({"ours": ours}, args.repeats)["ours"]
        print(f"ours     {mine:8.2f} s  {rate(stage_games, mine)} stage games")
        print("axelrod is not installed: ours only")
        return

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            axl.Tournament(
                axelrod_players(axl), turns=args.turns, repetitions=args.repetitions, noise=0.05, seed=1
            ).play(progress_bar=False)

    t = best_of_each({"ours": ours, "theirs": theirs}, args.repeats)
    mine, other = t["ours"], t["theirs"]
    print(f"ours     {mine:8.2f} s  {rate(stage_games, mine)} stage games")
    print(f"axelrod  {other:8.2f} s  {rate(stage_games, other)} stage games")
    print(f"ours / axelrod = {mine / other:.3f}")


if __name__ == "__main__":
    main()
