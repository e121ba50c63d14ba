"""The 12-classic round robin, ours vs the Axelrod library, like with like (issue 11, benchmark 1b).

Axelrod's prisoner's dilemma, 200 turns, 10 repetitions, self-play, noise 0 and 0.05; the
12 classics (all finite automata here, so our matches run on the batch engine).

- **End to end**, standings in hand. Ours: ``run_scenario(..., out=folder)`` — validation, the
  matches, per-match analysis (cycles, Pareto), standings and rates with intervals, and the
  results folder: matches.csv/parquet, summary.json, rounds.npz of the first repetition and
  the report (markdown and HTML) without plots. Axelrod: ``Tournament(...).play()`` with its
  default ResultSet (it writes the interactions to a temporary file and reads them back),
  the faster of ``processes=None`` and ``processes=1``.
- **Engine only**. Ours: ``run_scenario(...)`` without a folder (still with the per-match
  analysis and summary); Axelrod: ``play(build_results=False)``.

Targets (end to end): ours <= 0.1x Axelrod's time with noise 0.05 and <= 0.2x without.

    PYTHONPATH=. python benchmarks/round_robin_vs_axelrod.py [--repetitions 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
import warnings

from _common import axelrod, best_of_each, verdict

from tournament import run_scenario

CLASSICS = {
    "always_cooperate": "Cooperator",
    "always_defect": "Defector",
    "tit_for_tat": "TitForTat",
    "grim": "Grudger",
    "win_stay_lose_shift": "WinStayLoseShift",
    "tit_for_two_tats": "TitFor2Tats",
    "two_tits_for_tat": "TwoTitsForTat",
    "suspicious_tit_for_tat": "SuspiciousTitForTat",
    "alternator": "Alternator",
    "cycler": "Cycler",
    "go_by_majority": "GoByMajority",
    "bully": "Bully",
}
TURNS = 200


def scenario(noise: float, repetitions: int) -> dict:
    return {
        "name": "bench",
        "seed": 1,
        "game": {"name": "axelrod_pd"},
        "tournament": {"turns": TURNS, "repetitions": repetitions, "noise": noise, "self_play": True},
        "entrants": [{"strategy": s} for s in CLASSICS],
        "report": {"plots": False},
    }


def ours(noise: float, repetitions: int, folder: bool) -> None:
    if folder:
        with tempfile.TemporaryDirectory() as d:
            run_scenario(scenario(noise, repetitions), out=d)
    else:
        run_scenario(scenario(noise, repetitions))


def theirs(axl, noise: float, repetitions: int, build_results: bool, processes) -> None:
    players = [getattr(axl, cls)() for cls in CLASSICS.values()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "results will not be accessible" without build_results
        axl.Tournament(players, turns=TURNS, repetitions=repetitions, noise=noise, seed=1).play(
            build_results=build_results, processes=processes, progress_bar=False
        )


def main(argv=None) -> None:
    global TURNS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repetitions", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3, help="best of N timings")
    ap.add_argument("--turns", type=int, default=TURNS)
    ap.add_argument(
        "--axelrod-processes",
        default="none,1",
        help="Axelrod's settings of processes to try (the faster counts), e.g. none,1",
    )
    args = ap.parse_args(argv)
    TURNS = args.turns
    axl = axelrod()
    n = len(CLASSICS)
    stage_games = n * (n + 1) // 2 * args.repetitions * TURNS
    print(
        f"12 classics, {TURNS} turns, {args.repetitions} repetitions, self-play: {stage_games:,} stage games; "
        f"best of {args.repeats}"
    )
    print(f"{'setting':26s} {'ours':>7s} {'axelrod':>8s} {'ratio':>6s}  target")
    procs = [None if p.strip().lower() == "none" else int(p) for p in args.axelrod_processes.split(",")]
    for noise in (0.0, 0.05):
        # the closures bind this noise level (noise=noise) rather than read the loop variable late
        fns = {
            "e2e": lambda noise=noise: ours(noise, args.repetitions, True),
            "eng": lambda noise=noise: ours(noise, args.repetitions, False),
        }
        if axl is not None and None in procs:  # in turns with ours
            fns["a_e2e None"] = lambda noise=noise: theirs(axl, noise, args.repetitions, True, None)
            fns["a_eng None"] = lambda noise=noise: theirs(axl, noise, args.repetitions, False, None)
        t = best_of_each(fns, args.repeats)
        e2e, eng = t["e2e"], t["eng"]
        if axl is None:
            print(f"noise {noise:<4g} end to end    {e2e:7.3f}\nnoise {noise:<4g} engine only   {eng:7.3f}")
            continue
        # Axelrod with worker processes: timed after ours, so that its workers' start and exit
        # (it spawns fresh interpreters) do not overlap our timings
        for p in procs:
            if p is not None:
                t.update(
                    best_of_each(
                        {
                            f"a_e2e {p}": lambda noise=noise, p=p: theirs(axl, noise, args.repetitions, True, p),
                            f"a_eng {p}": lambda noise=noise, p=p: theirs(axl, noise, args.repetitions, False, p),
                        },
                        args.repeats,
                    )
                )
        a_e2e = min(t[f"a_e2e {p}"] for p in procs)
        a_eng = min(t[f"a_eng {p}"] for p in procs)
        target = 0.1 if noise else 0.2
        print(
            f"noise {noise:<4g} end to end    {e2e:7.3f} {a_e2e:8.3f} {e2e / a_e2e:6.3f}  {verdict(e2e / a_e2e, target)}"
        )
        print(f"noise {noise:<4g} engine only   {eng:7.3f} {a_eng:8.3f} {eng / a_eng:6.3f}")


if __name__ == "__main__":
    main()
