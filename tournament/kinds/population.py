"""What the population kinds share: types and initial composition, selection settings, the
keys of the share dynamics, and their size estimate (light: parsing a scenario needs these).

**Types.** Each ``[[entrants]]`` table is one *type* (a strategy with its parameters); its
``count`` is the initial number of individuals of that type (see docs/populations.md).
Instead, a ``[tournament]`` may give ``shares = [...]`` (one weight per type, normalised) and,
for the finite-population kinds, ``population_size = N`` (counts are then apportioned by
largest remainders; without ``shares`` the entrants' counts are scaled to N).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..scenario import sizes
from ..scenario.sizes import MAX_ENTRANTS
from ..scenario.spec import EntrantSpec, Population, Scenario
from ..scenario.validation import Table
from .registry import RecordCheck
from .round_robin import match_checks


# ------------------------------------------------------------------ types
@dataclass
class TypeSet:
    """The strategy types of a population, one representative spec each, with entrant counts."""

    names: list[str]
    specs: list[EntrantSpec]
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def types_of(population: Population) -> TypeSet:
    """Group a population's entrants (``count`` copies share a ``type_name``) into types."""
    index: dict[str, int] = {}  # a dict: a population of 10^6 copies is grouped in one pass
    specs: list[EntrantSpec] = []
    counts: list[int] = []
    for spec in population.entrants:
        name = spec.type_name or spec.name
        i = index.get(name)
        if i is not None:
            counts[i] += 1
        else:
            index[name] = len(specs)
            specs.append(replace(spec, name=name, type_name=name))
            counts.append(1)
    return TypeSet(list(index), specs, np.array(counts, dtype=np.int64))


# ------------------------------------------------------------------ composition
def parse_composition(tt: Table, scenario: Scenario, finite: bool) -> dict:
    """``shares`` (and for finite populations ``population_size``), checked against every population."""
    shares = tt.get("shares", list, None)
    size = (
        tt.get(
            "population_size",
            int,
            None,
            check=lambda v: 1 <= v <= MAX_ENTRANTS,
            expect=f"a positive integer up to {MAX_ENTRANTS:,}",
        )
        if finite
        else None
    )
    if shares is not None:
        if not shares or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and 0 <= x <= 1e300
            for x in shares
        ):
            raise tt.error(f"expected non-negative finite numbers, one per type, got {shares!r}", "shares")
        if sum(shares) <= 0:
            raise tt.error("the shares must not all be zero", "shares")
        for pop in scenario.populations:
            n = len(types_of(pop))
            if len(shares) != n:
                raise tt.error(
                    f"{len(shares)} shares for population {pop.name!r} with {n} types "
                    f"({', '.join(types_of(pop).names)}); give one share per [[entrants]] table",
                    "shares",
                )
        if finite and size is None:
            raise tt.error("shares of a finite population need population_size (or use the entrants' count)", "shares")
    out = {"shares": shares}
    if finite:
        out["population_size"] = size
        for pop in scenario.populations:
            counts = initial_counts(out, types_of(pop))
            if counts.sum() < scenario.game.n_players:
                raise tt.error(
                    f"population {pop.name!r} has {int(counts.sum())} individual(s) but a group needs "
                    f"{scenario.game.n_players}; raise the entrants' count or population_size",
                    "population_size" if size else None,
                )
    return out


def apportion(weights, total: int) -> np.ndarray:
    """Integer counts summing to ``total`` proportional to ``weights`` (largest remainders)."""
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * total
    counts = np.floor(exact).astype(np.int64)
    rest = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def initial_counts(settings: dict, types: TypeSet) -> np.ndarray:
    """Initial number of individuals of each type (finite populations)."""
    size = settings.get("population_size")
    weights = settings.get("shares") or types.counts
    if size is None:
        return types.counts.copy()
    return apportion(weights, size)


def initial_shares(settings: dict, types: TypeSet) -> np.ndarray:
    weights = np.asarray(settings.get("shares") or types.counts, dtype=float)
    return weights / weights.sum()


# ------------------------------------------------------------------ selection
FITNESS_MAPS = ("exponential", "linear")


def parse_selection(tt: Table, scenario: Scenario) -> dict:
    """``fitness`` ("exponential": exp(w·payoff), or "linear": 1 − w + w·payoff, which must not be
    negative; with w = 1 fitness is the payoff, as in the Axelrod library) and
    ``selection_intensity`` w ≥ 0 (0 = neutral drift)."""
    fmap = tt.get("fitness", str, "exponential", choices=FITNESS_MAPS)
    w = tt.get("selection_intensity", float, 1.0, check=lambda v: v >= 0, expect="a non-negative number")
    if fmap == "linear":
        low = float(scenario.game.payoffs.min())
        if 1 - w + w * low < 0:
            raise tt.error(
                f"linear fitness 1 - w + w*payoff is negative for the game's lowest payoff {low:g} "
                f"with selection_intensity w = {w:g}; use w <= {1 / (1 - low):.4g} "
                'or fitness = "exponential"',
                "selection_intensity",
            )
    return {"fitness": fmap, "selection_intensity": w}


# ------------------------------------------------------------------ share dynamics
def parse_shares_dynamics(tt: Table, scenario: Scenario, generations: int) -> dict:
    """Keys shared by the infinite-population kinds."""
    out = parse_composition(tt, scenario, finite=False)
    out["generations"] = tt.get(
        "generations", int, generations, check=lambda v: v >= 0, expect="a non-negative integer"
    )
    out["tolerance"] = tt.get("tolerance", float, 1e-12, check=lambda v: v >= 0, expect="a non-negative number")
    out["bootstrap"] = tt.get("bootstrap", int, 200, check=lambda v: v >= 0, expect="a non-negative integer")
    out["cache_deterministic"] = tt.get("cache_deterministic", bool, True)
    return out


def shares_estimate(scenario: Scenario, population: Population, workers: int, key: str) -> tuple[list, list]:
    """Memory and time terms of an infinite-population run (``ecological``, ``replicator``): the
    types' round robin, then the generations of the share dynamics (see ``scenario.sizes``)."""
    st = scenario.settings
    t = len(types_of(population))
    memory, seconds, _ = sizes.round_robin_terms(scenario, t, True, workers, key)
    gens, boot = float(st["generations"]), float(st.get("bootstrap", 0))
    memory.append(
        (
            gens * t * sizes.RECORD_BYTES * 3 + boot * t * 8 * 4,
            "tournament.generations",
            f"{gens:.4g} generations of {t} types",
        )
    )
    seconds.append((gens * (1 + boot) * 2e-5, "tournament.generations", f"up to {gens:.4g} generations"))
    return memory, seconds


def type_match_checks(scenario: Scenario) -> dict[str, RecordCheck]:
    """The record check of the matches of the types' round robin (with self-play) that gives
    the population kinds their payoffs."""
    return match_checks(scenario, lambda pop: list(types_of(pop).names), True)
