"""Helpers shared by the speed benchmarks: best-of-N timing and the Axelrod library peer.

Every benchmark measures both sides in one run, in one process, one core, and prints the
times, the stage games per second and the ratio. Timings are the best of ``--repeats`` runs,
taken in turns (ours, theirs, ours, theirs, ...) so that a change of machine load between
the two sides does not bias their ratio.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable


def best_of_each(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The best of ``repeats`` timings of every function, the functions taking turns."""
    best = {name: float("inf") for name in fns}
    for _ in range(max(1, repeats)):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def axelrod():
    """The Axelrod library, or None when it is not installed."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import axelrod as axl
        except ImportError:
            return None
    return axl


def verdict(ratio: float, target: float) -> str:
    return f"{'reached' if ratio <= target else 'NOT reached'} (target <= {target:g})"


def rate(stage_games: float, seconds: float) -> str:
    return f"{stage_games / seconds:.3g}/s" if seconds > 0 else "-"
