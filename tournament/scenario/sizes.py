"""How big a run is, estimated before anything runs, and the refusal of runs that cannot fit.

Every estimate is a closed formula of the scenario's settings (the number of matches comes
from binomial coefficients, not from listing them), so checking a scenario takes the same
time whether it asks for ten matches or 10^12. This module holds the formulas the kinds use
for their terms; :mod:`tournament.scenario.budget` adds up a run's terms over its kind
(``budget.estimate`` gives the peak memory and a lower bound of the single-core time;
``budget.check`` refuses a run whose memory estimate exceeds the memory available, with a
message naming the key that drives it and the figures).

What the memory estimate counts (constants measured on the development machine with
``benchmarks/memory_match.py`` and ``benchmarks/memory_round_robin.py``; they are
deliberately on the high side):

- the program itself (``BASE``) and each worker process (``WORKER``);
- one match per worker in flight: the engine's storage per round and seat
  (``MATCH_BYTES``) times the longest match expected. With ``prob_end`` and no ``turns``
  cap the longest of N matches is its 1 − 10⁻³ quantile, ``ln(10⁻³/N) / ln(1 − prob_end)``
  rounds (a match exceeds it with probability 10⁻³/N);
- the rows of every match (``ROW_BYTES`` each: the compact table the summary is computed
  from; the rounds themselves are written to the results folder as they arrive);
- population kinds: every individual (``INDIVIDUAL_BYTES``, and its history in
  ``random_matching``), the records of every run, and the generations of the share dynamics.

The time is a lower bound (``SEAT_ROUND_SECONDS`` per seat and round, the speed of the
simplest strategies; ``EVENT_SECONDS`` per Moran event): a run estimated to take more than
``TIME_LIMIT`` — a year of one core — is refused too, so that a typo (``turns = 10**12``,
``count = 10**6`` in a Moran run of 100 runs × 1000 generations) is an error at once rather
than a run that looks like a hang. (With 100 workers a year of one core is under four days;
split a larger study into several scenarios.)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from ..errors import ScenarioError

BASE = 250e6  # the program with its libraries loaded, and the report
WORKER = 150e6  # each further worker process
MATCH_BYTES = 100.0  # per round and seat while a match is played and analysed (measured: ~55)
ROW_BYTES = 600.0  # per match: its row in flight, the compact table, the summary's work
POPULATION_BYTES = 2e5  # per population: its summary, tables and report section
INDIVIDUAL_BYTES = 1200.0  # an entrant copy, a Mesa agent and its strategy (measured: ~830)
GRAPH_BYTES = 2000.0  # per node of a networkx graph with its neighbour arrays ...
EDGE_BYTES = 400.0  # ... and per edge
RECORD_BYTES = 150.0  # per recorded (step, type) of a population run
SEAT_ROUND_SECONDS = 2e-6  # the fastest strategies (measured: 7-10 µs for tit-for-tat vs random)
EVENT_SECONDS = 1e-5  # one Moran event, at least (measured: 2e-5 at N = 10^3) ...
EVENT_INDIVIDUAL_SECONDS = 1e-8  # ... plus this per individual (measured: 2e-8: fitness of everyone)
TIME_LIMIT = 365 * 86400.0  # a year of one core
TAIL = 1e-3  # the longest of N prob_end matches: exceeded with probability TAIL / N


@dataclass
class Estimate:
    """Peak memory (bytes) and single-core time (seconds, a lower bound) of a run, each with
    its largest part and the scenario key that drives it."""

    memory: float
    seconds: float
    memory_key: str
    memory_part: str
    time_key: str
    time_part: str


def available_memory() -> float:
    """Memory this process may still use: ``MemAvailable`` of ``/proc/meminfo``, or the
    cgroup's limit if that is lower (inf where neither is known)."""
    avail = math.inf
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = float(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as fh:
                text = fh.read().strip()
            if text.isdigit() and int(text) < 1 << 60:
                avail = min(avail, float(text))
        except OSError:
            continue
    if avail is math.inf and hasattr(os, "sysconf"):
        try:
            avail = float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            pass
    return avail


def human_bytes(n: float) -> str:
    if not math.isfinite(n):
        return "unbounded"
    for unit in ("B", "kB", "MB", "GB", "TB", "PB", "EB"):
        if abs(n) < 1000:
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} ZB" if n < 1000 else f"{n:.1e} ZB"


def human_seconds(s: float) -> str:
    if not math.isfinite(s):
        return "forever"
    for unit, size in (("years", 365 * 86400.0), ("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if s >= size:
            v = s / size
            return f"{v:.3g} {unit}" if v < 1e6 else f"{v:.1e} {unit}"
    return f"{s:.3g} s"


def _f(x) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf


# ---------------------------------------------------------------------------- counting
def n_seatings(n: int, k: int, symmetric: bool, self_play: bool) -> int:
    """Number of seatings of one round-robin repetition (``kinds.round_robin.seatings``), by formula."""
    if symmetric:
        return math.comb(n + k - 1, k) if self_play else math.comb(n, k)
    return n**k if self_play else math.perm(n, k)


def match_length(turns: int | None, prob_end: float | None, n_matches: float) -> tuple[float, float]:
    """(mean, longest expected) number of rounds of a match among ``n_matches``."""
    if prob_end is None:
        assert turns is not None, "a match has turns or prob_end"
        return float(turns), float(turns)
    mean = 1.0 / prob_end
    if prob_end >= 1:
        longest = 1.0
    else:
        q = TAIL / max(1.0, n_matches)
        longest = math.ceil(math.log(q) / math.log1p(-prob_end)) if prob_end > 0 else math.inf
    if turns is not None:
        mean, longest = min(mean, turns), min(longest, float(turns))
    return mean, longest


def match_keys(scenario) -> str:
    """The key that sets the length of a match."""
    m = scenario.match
    if m.prob_end is not None and m.turns is None:
        return "tournament.prob_end"
    return "tournament.turns"


# ---------------------------------------------------------------------------- per kind
Terms = list  # [(bytes or seconds, key, what)]


def round_robin_terms(
    scenario, n_entrants: int, self_play: bool, workers: int, entrants_key: str
) -> tuple[Terms, Terms, float]:
    """Memory and time terms of the round robin of ``n_entrants`` (a ``round_robin`` run, or the
    types' matches of a population kind), and its match count."""
    game = scenario.game
    k = game.n_players
    matches = _f(n_seatings(n_entrants, k, game.is_symmetric, self_play)) * scenario.repetitions
    mean, longest = match_length(scenario.match.turns, scenario.match.prob_end, matches)
    length_key = match_keys(scenario)
    count_key = "tournament.repetitions" if scenario.repetitions > 1 else entrants_key
    upto = "up to " if scenario.match.prob_end is not None else ""
    memory = [
        (
            workers * MATCH_BYTES * k * longest,
            length_key,
            f"{workers} match(es) of {upto}{longest:.4g} rounds in flight",
        ),
        (ROW_BYTES * matches, count_key, f"the rows of {matches:.4g} matches"),
    ]
    seconds = [
        (
            matches * mean * k * SEAT_ROUND_SECONDS,
            length_key if mean > matches else count_key,
            f"{matches:.4g} matches of {upto}{longest:.4g} rounds",
        )
    ]
    return memory, seconds, matches


#: most entrants (``count`` copies included) one population may hold: each is a Python
#: object, and past this no kind finishes (a Moran generation alone is N events of O(N) work)
MAX_ENTRANTS = 2_000_000


def check_count(total: float, key: str, source: str | None) -> None:
    """Refuse, before a single copy is made, a population whose entrants (with their
    ``count`` copies) exceed ``MAX_ENTRANTS`` or whose bookkeeping cannot fit in memory."""
    if total > MAX_ENTRANTS:
        raise ScenarioError(
            f"{total:.4g} entrants in one population; at most {MAX_ENTRANTS:,} are supported "
            "(every individual is an object the run updates; larger populations do not finish)",
            source=source,
            key=key,
        )
    need = BASE + total * INDIVIDUAL_BYTES
    avail = available_memory()
    if need > avail:
        raise ScenarioError(
            f"{total:.4g} entrants need about {human_bytes(need)} of memory but "
            f"{human_bytes(avail)} is available; lower it",
            source=source,
            key=key,
        )
