"""Helpers shared by the speed benchmarks: best-of-N timing and the Axelrod library peer.

Every benchmark measures both sides in one run, in one process, one core, and prints the
times, the stage games per second and the ratio. Timings are the best of ``--repeats`` runs.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Callable


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """The shortest of ``repeats`` wall-clock timings of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
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
