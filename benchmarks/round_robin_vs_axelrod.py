"""Round robin of the 12 deterministic classics on Axelrod's PD: ours vs the Axelrod library.

200 turns, 10 repetitions, self-play (as Axelrod's Tournament does), one process, in the same
Python process; then again with noise 0.05 (no match is deterministic then, so no caching).
Prints both times and the ratio. Target: ours <= 0.5x Axelrod's time in both settings.

    PYTHONPATH=. python benchmarks/round_robin_vs_axelrod.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings

from tournament import run_scenario

NAMES = {
    "always_cooperate": "Cooperator", "always_defect": "Defector", "tit_for_tat": "TitForTat",
    "grim": "Grudger", "win_stay_lose_shift": "WinStayLoseShift", "tit_for_two_tats": "TitFor2Tats",
    "two_tits_for_tat": "TwoTitsForTat", "suspicious_tit_for_tat": "SuspiciousTitForTat",
    "alternator": "Alternator", "cycler": "Cycler", "go_by_majority": "GoByMajority", "bully": "Bully",
}


def ours(noise: float, write: bool) -> float:
    sc = {
        "name": "bench", "seed": 1, "game": {"name": "axelrod_pd"},
        "tournament": {"turns": 200, "repetitions": 10, "noise": noise, "self_play": True},
        "entrants": [{"strategy": s} for s in NAMES],
        "report": {"plots": False, "traces": 0},
    }
    t = time.perf_counter()
    if write:
        with tempfile.TemporaryDirectory() as d:
            run_scenario(sc, out=d)
    else:
        run_scenario(sc)
    return time.perf_counter() - t


def axelrod_time(noise: float, build_results: bool = True) -> float | None:
    """Axelrod's Tournament.play; with build_results it also computes its ResultSet
    (standings etc.), the counterpart of our results folder."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import axelrod as axl
    except ImportError:
        return None
    players = [getattr(axl, cls)() for cls in NAMES.values()]
    t = time.perf_counter()
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as d:
        warnings.simplefilter("ignore")
        tour = axl.Tournament(players, turns=200, repetitions=10, noise=noise, seed=1)
        tour.play(processes=1, progress_bar=False, build_results=build_results,
                  filename=os.path.join(d, "interactions.csv"))
    return time.perf_counter() - t


def main() -> None:
    os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning")  # axelrod's prompt_toolkit notice
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3, help="best of N timings per measurement")
    args = ap.parse_args()
    try:
        import axelrod  # noqa: F401
    except ImportError:
        print("axelrod is not installed (pip install 'axelrod==4.13.0' pyarrow): showing our times only")
    print("ours: run_scenario in memory / with the results folder written (matches.csv, summary.json,")
    print("      report); axelrod: Tournament.play with / without building its ResultSet.\n")
    head = f"{'setting':26s} {'ours':>7s} {'ours+files':>10s} {'axl+results':>11s} {'axl matches':>11s}"
    print(head + f" {'ratio':>6s} {'ratio (matches only)':>21s}")
    for noise in (0.0, 0.05):
        o = min(ours(noise, False) for _ in range(args.repeats))
        ow = min(ours(noise, True) for _ in range(args.repeats))
        a_times = [axelrod_time(noise, True) for _ in range(args.repeats)]
        label = f"12 classics, noise {noise}"
        if a_times[0] is None:
            print(f"{label:26s} {o:7.3f} {ow:10.3f}")
            continue
        a = min(a_times)
        am = min(axelrod_time(noise, False) for _ in range(args.repeats))
        verdict = "OK" if max(ow / a, o / am) <= 0.5 else "ABOVE TARGET"
        print(f"{label:26s} {o:7.3f} {ow:10.3f} {a:11.3f} {am:11.3f} {ow / a:6.3f} {o / am:21.3f}"
              f"   {verdict} (target <= 0.5)")


if __name__ == "__main__":
    main()
