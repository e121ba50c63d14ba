"""Scale-out of a large round robin: 1 worker, N worker processes, a Dask LocalCluster.

55 entrants (the classics with parameter variants, learners and switchers) on the seed PD
with 2% noise (so no match is cached), every pair, ``--repetitions`` repetitions: 1485
matches per repetition. For each backend it prints the wall time of the run (matches and
per-match analysis; ``elapsed_seconds`` in ``run_info.json``) and of the whole command,
matches per second, the speed-up over one worker and the parallel efficiency
(speed-up / workers), and checks that ``matches.csv`` is byte-identical across backends.

Then the scheduling overhead: the same match tasks through the executor with one task per
chunk against the default chunking (about 8 chunks per worker), so the per-chunk cost is
``(t_chunk1 - t_default) / (n_chunks1 - n_chunks_default)``.

    PYTHONPATH=. python benchmarks/scaling_round_robin.py [--workers 2] [--repetitions 1] [--turns 200]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import tempfile
import time
from pathlib import Path

from tournament import run_scenario
from tournament.execution.executor import Executor, available_workers, default_chunk_size
from tournament.kinds import RunOptions


def entrants() -> list[dict]:
    out = [
        {"strategy": s}
        for s in (
            "always_cooperate",
            "always_defect",
            "tit_for_tat",
            "grim",
            "win_stay_lose_shift",
            "tit_for_two_tats",
            "two_tits_for_tat",
            "suspicious_tit_for_tat",
            "alternator",
            "bully",
            "maximin",
            "fictitious_play",
            "regret_matching",
        )
    ]
    out += [{"strategy": "random", "params": {"p": p}, "name": f"random p={p}"} for p in (0.1, 0.3, 0.5, 0.7, 0.9)]
    out += [
        {"strategy": "generous_tit_for_tat", "params": {"p": p}, "name": f"gtft p={p}"}
        for p in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
    ]
    out += [
        {"strategy": "cycler", "params": {"pattern": pat}, "name": f"cycler {pat}"}
        for pat in ("CD", "CCD", "CDD", "CCCD", "DDC", "CCDD", "CDCDD")
    ]
    out += [{"strategy": "go_by_majority", "params": {"memory": m}, "name": f"majority {m}"} for m in (0, 5, 10, 20)]
    out += [
        {"strategy": "hedge", "params": {"learning_rate": r}, "name": f"hedge {r}"} for r in (0.01, 0.03, 0.1, 0.3, 1.0)
    ]
    out += [
        {"strategy": "softmax_switcher", "params": {"alpha": a}, "name": f"switcher a={a}"}
        for a in (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)
    ]
    out += [
        {"strategy": "regret_matching", "params": {"variant": "unconditional"}, "name": "regret unconditional"},
        {"strategy": "fictitious_play", "params": {"beliefs": "independent"}, "name": "fictitious independent"},
        {"strategy": "go_by_majority", "params": {"soft": False}, "name": "hard majority"},
        {"strategy": "maximin", "params": {"pure": True}, "name": "pure maximin"},
        {"strategy": "generous_tit_for_tat", "name": "gtft default"},
        {"strategy": "random", "name": "random uniform"},
    ]
    return out


def scenario(turns: int, repetitions: int) -> dict:
    return {
        "name": "scaling",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": turns, "repetitions": repetitions, "noise": 0.02},
        "entrants": entrants(),
        "report": {"plots": False, "traces": 0},
    }


def timed_run(sc: dict, out: Path, **kw) -> tuple[float, float]:
    """(seconds of the run proper, seconds including validation and writing the folder)."""
    t = time.perf_counter()
    run_scenario(sc, out=out, **kw)
    total = time.perf_counter() - t
    return json.loads((out / "run_info.json").read_text())["elapsed_seconds"], total


def chunk_overhead(sc: dict, workers: int) -> None:
    from tournament.execution.tasks import MatchTask, play_task
    from tournament.models.round_robin import RoundRobinModel
    from tournament.scenario import load_scenario

    scen = load_scenario(sc)
    model = RoundRobinModel(scen, scen.populations[0])
    tasks = [MatchTask(j, 0, s) for j, s in enumerate(model.seatings)]
    n = len(tasks)
    rows = []
    for label, chunk in (("default", None), ("1 per chunk", 1)):
        with Executor(play_task, model.context, options=RunOptions(workers=workers)) as ex:
            ex.chunk_size = chunk
            list(ex.map(tasks[: 2 * workers]))  # start the pool outside the timing
            t = time.perf_counter()
            list(ex.map(tasks))
            rows.append((label, chunk or default_chunk_size(n, workers), time.perf_counter() - t))
    print(f"\nscheduling overhead, {n} matches on {workers} worker processes:")
    for label, size, secs in rows:
        print(f"  chunk size {size:4d} ({label:11s}): {secs:6.2f} s, {-(-n // size):5d} chunks")
    (_, s0, t0), (_, _, t1) = rows
    per_chunk = (t1 - t0) / (n - (-(-n // s0)))
    print(
        f"  cost per extra chunk: {per_chunk * 1e3:.2f} ms; with default chunking the "
        f"{-(-n // s0)} chunks cost ~{per_chunk * (-(-n // s0)) / t0:.1%} of the run"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=max(2, available_workers()))
    ap.add_argument("--repetitions", type=int, default=1)
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    sc = scenario(args.turns, args.repetitions)
    n_entrants = len(sc["entrants"])
    n = n_entrants * (n_entrants - 1) // 2 * args.repetitions
    print(
        f"round robin: {n_entrants} entrants, {n} matches of {args.turns} turns, noise 0.02, "
        f"{os.cpu_count()} CPUs visible, {available_workers()} usable"
    )
    results = []
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        results.append(("1 worker", 1, timed_run(sc, d / "w1", workers=1)))
        results.append((f"{args.workers} processes", args.workers, timed_run(sc, d / "wn", workers=args.workers)))
        folders = ["w1", "wn"]
        if not args.no_dask:
            try:
                from dask.distributed import LocalCluster
            except ImportError:
                print("(dask.distributed not installed: no Dask figures)")
            else:
                with LocalCluster(
                    n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                ) as cluster:
                    results.append(
                        (
                            f"Dask {args.workers} workers",
                            args.workers,
                            timed_run(sc, d / "dask", scheduler=cluster.scheduler_address),
                        )
                    )
                folders.append("dask")
        same = all(filecmp.cmp(d / "w1" / "matches.csv", d / f / "matches.csv", shallow=False) for f in folders)
        t1 = results[0][2]
        print(
            f"\n{'backend':22s} {'run s':>7s} {'matches/s':>10s} {'speed-up':>9s} {'efficiency':>11s} {'total s':>8s}"
        )
        for label, w, (secs, total) in results:
            print(
                f"{label:22s} {secs:7.2f} {n / secs:10.0f} {t1[0] / secs:8.2f}x {t1[0] / secs / w:10.0%} {total:8.2f}"
            )
        print(f"matches.csv identical across backends: {same}")
        print("(total s adds validation and writing the results folder, done once in the main process)")
    chunk_overhead(sc, args.workers)


if __name__ == "__main__":
    main()
