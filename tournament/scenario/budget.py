"""A run's budget: the memory and time terms of every population, from its kind's estimate
(``Kind.estimate``, built on the formulas of :mod:`tournament.scenario.sizes`), added up, and
the refusal — before anything runs — of a run that cannot fit in memory or would take more than
``sizes.TIME_LIMIT`` of single-core time."""

from __future__ import annotations

from .. import kinds
from ..errors import ScenarioError
from . import sizes
from .sizes import Estimate, Terms


def estimate(scenario, workers: int = 1) -> Estimate:
    """Peak memory and single-core time of running ``scenario`` with ``workers`` workers."""
    return _combine(*terms(scenario, workers))


def terms(scenario, workers: int = 1) -> tuple[Terms, Terms]:
    """The memory and time terms of a run, the program itself first (every population's
    terms add up: a finished population keeps its results until the folder is written). Each
    population's terms come from its kind (``Kind.estimate``; a kind without one is not
    estimated)."""
    memory: Terms = [(sizes.BASE + (workers - 1) * sizes.WORKER, "tournament", "the program")]
    seconds: Terms = []
    pops = scenario.populations
    kind = kinds.get(scenario.kind)
    for i, pop in enumerate(pops):
        prefix = "entrants" if len(pops) == 1 or "sweep" in scenario.extra else f"populations[{i}].entrants"
        if kind.estimate is None:
            continue
        m, s = kind.estimate(scenario, pop, workers, prefix)
        memory += m
        seconds += s
    if len(pops) > 1:
        memory.append(
            (
                len(pops) * sizes.POPULATION_BYTES,
                "sweep" if "sweep" in scenario.extra else "populations",
                f"{len(pops)} populations",
            )
        )
    return memory, seconds


def _combine(memory: Terms, seconds: Terms, times: float = 1.0) -> Estimate:
    """The totals of the terms (all but the program's own ``times`` over, for a sweep) and
    their largest parts."""
    memory = [memory[0]] + [(m * times, k, w) for m, k, w in memory[1:]]
    seconds = [(s * times, k, w) for s, k, w in seconds] or [(0.0, "tournament", "nothing")]
    big_m = max(memory, key=lambda x: x[0])
    big_s = max(seconds, key=lambda x: x[0])
    return sizes.Estimate(
        sum(m for m, _, _ in memory), sum(s for s, _, _ in seconds), big_m[1], big_m[2], big_s[1], big_s[2]
    )


def check(scenario, workers: int = 1, *, times: float = 1.0, key: str | None = None) -> Estimate:
    """Refuse (ScenarioError naming the key) a run that needs more memory than is available
    or more than ``sizes.TIME_LIMIT`` of single-core time; return the estimate otherwise.
    ``times`` repeats the run's work (a sweep of that many points, named by ``key``)."""
    memory, seconds = terms(scenario, workers)
    if times != 1.0:
        memory.append((sizes.POPULATION_BYTES, key, "populations"))
    est = _combine(memory, seconds, times)
    many = f" × {times:.4g} sweep points" if times != 1.0 else ""
    avail = sizes.available_memory()
    if est.memory > avail:
        raise ScenarioError(
            f"this run needs about {sizes.human_bytes(est.memory)} of memory (largest part: {est.memory_part}{many}"
            f"{f', with {workers} workers' if workers > 1 else ''}) but {sizes.human_bytes(avail)} is available; "
            "make it smaller" + (" or use fewer workers" if workers > 1 else ""),
            source=scenario.source,
            key=key or est.memory_key,
        )
    if est.seconds > sizes.TIME_LIMIT:
        raise ScenarioError(
            f"this run would take at least {sizes.human_seconds(est.seconds)} of computing (largest part: "
            f"{est.time_part}{many}); make it smaller",
            source=scenario.source,
            key=key or est.time_key,
        )
    return est


def check_run(scenario, workers: int) -> Estimate:
    """:func:`check` for the worker count of an actual run."""
    return check(scenario, workers)
