"""The ``random_matching`` kind: every round the population is shuffled into new groups of k that
play one stage game; each individual is one strategy instance that keeps learning across all
its partners. See :mod:`tournament.models.random_matching` for what an individual sees.

``[tournament]`` keys: ``population_size``, ``shares`` (see :mod:`.population`), ``fitness``,
``selection_intensity``, ``mutation``, ``generations``, ``runs``, ``record_every``, ``turns``
(rounds per generation) and ``noise``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..plugins import lazy_function
from ..scenario import sizes
from ..scenario.spec import Population, Scenario
from ..scenario.validation import Table, positive_int, probability
from .population import initial_counts, parse_composition, parse_selection, types_of
from .registry import Kind, RecordCheck, register


def _parse(tt: Table, scenario: Scenario) -> dict:
    if "repetitions" in tt.data:
        raise tt.error(
            "random_matching replays the whole population with `runs`; `repetitions` (matches per "
            "grouping) does not apply",
            "repetitions",
        )
    if scenario.match.prob_end is not None:
        raise tt.error("random_matching needs turns (rounds per generation); prob_end is not supported", "prob_end")
    out = parse_composition(tt, scenario, finite=True)
    out.update(parse_selection(tt, scenario))
    out["mutation"] = tt.get("mutation", float, 0.0, check=probability, expect="a probability in [0, 1]")
    out["generations"] = tt.get("generations", int, 1, check=positive_int, expect="a positive integer")
    out["runs"] = tt.get("runs", int, 10, check=positive_int, expect="a positive integer")
    turns = scenario.match.turns
    assert turns is not None  # without prob_end, a scenario has turns
    default_every = max(1, turns // 100)
    out["record_every"] = tt.get("record_every", int, default_every, check=positive_int, expect="a positive integer")
    return out


def _seats(scenario: Scenario, population: Population):
    k = scenario.game.n_players
    return (lambda idx: [0]) if scenario.game.is_symmetric else (lambda idx: range(k))


def _estimate(scenario: Scenario, population: Population, workers: int, key: str) -> tuple[list, list]:
    """Every individual with its own history, the individuals' records and the share records."""
    st = scenario.settings
    k = scenario.game.n_players
    types = types_of(population)
    t = len(types)
    size_key = "tournament.population_size" if st.get("population_size") else key
    n = float(int(initial_counts(st, types).sum())) * (1 if scenario.game.is_symmetric else k)
    assert scenario.match.turns is not None  # checked by _parse: random_matching has no prob_end
    turns, runs, gens = float(scenario.match.turns), float(st["runs"]), float(st["generations"])
    windows = runs * gens * (turns / st["record_every"] + 1)
    per = sizes.INDIVIDUAL_BYTES + sizes.MATCH_BYTES * k * turns  # each individual keeps its own history
    memory = [
        (
            workers * n * per,
            size_key if sizes.INDIVIDUAL_BYTES > sizes.MATCH_BYTES * k * turns else "tournament.turns",
            f"{n:.4g} individuals with histories of {turns:.4g} rounds",
        ),
        (runs * gens * n * sizes.ROW_BYTES, "tournament.generations", f"{runs * gens * n:.4g} individual records"),
        (windows * t * sizes.RECORD_BYTES, "tournament.record_every", f"{windows * t:.4g} share records"),
    ]
    seconds = [
        (
            runs * gens * turns * n * sizes.SEAT_ROUND_SECONDS,
            "tournament.generations" if gens > 1 else size_key,
            f"{runs:.4g} runs of {gens:.4g} generations of {turns:.4g} rounds of {n:.4g} individuals",
        )
    ]
    return memory, seconds


def _checks(scenario: Scenario) -> dict[str, RecordCheck]:
    """Each run (``matching_task``): its types, shares and tables."""
    import pandas as pd

    from ..execution import records  # (with the run: records need the engine and the analyses)

    pops = {p.name: p for p in scenario.populations}
    pay = scenario.game.payoffs
    lo, hi = float(pay.min()), float(pay.max())

    def matching(scope: str, fields: dict, res: Any) -> None:
        names = list(types_of(pops[scope]).names)
        run = (
            records.check_int(fields.get("run"), "run", 0, scenario.settings["runs"] - 1)
            if set(fields) == {"run"}
            else records.fail("not a random-matching task")
        )
        if not isinstance(res, dict) or res.get("run") != run:
            records.fail(f"random-matching run {run}: not its result")
        shares = records.check_frame(
            res.get("shares"), "shares", {"run", "type", "count", "share", "mean_payoff", "cooperation"}
        )
        pop = records.check_frame(res.get("population"), "population", {"run", "mean_payoff", "cooperation"})
        ind = records.check_frame(
            res.get("individuals"), "individuals", {"run", "type", "games", "mean_payoff", "cooperation"}
        )
        for frame, what in ((shares, "shares"), (pop, "population"), (ind, "individuals")):
            if not (frame["run"] == run).all():
                records.fail(f"random-matching run {run}: {what} of another run")
            for col in ("mean_payoff", "cooperation", "share"):
                if col in frame:
                    vals = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
                    rng = (0.0, 1.0) if col != "mean_payoff" else (lo, hi)
                    bad = ~np.isnan(vals) & ((vals < rng[0] - 1e-9) | (vals > rng[1] + 1e-9))
                    if bad.any():
                        records.fail(f"random-matching run {run}: {what}.{col} outside [{rng[0]:g}, {rng[1]:g}]")
        for frame in (shares, ind):
            if not frame["type"].isin(names).all():
                records.fail(f"random-matching run {run}: a type that is not in this population")
        per_type = res.get("per_type")
        if not isinstance(per_type, dict) or set(per_type) != set(names):
            records.fail(f"random-matching run {run}: per-type results of other types")
        fs = records.check_array(
            res.get("final_shares"), f"random-matching run {run}: final shares", "f", (len(names),)
        )
        if ((fs < 0) | (fs > 1)).any():
            records.fail(f"random-matching run {run}: final shares are not shares")
        records.check_float(res.get("mean_payoff"), f"random-matching run {run}: mean payoff", lo, hi)

    return {"matching_task": matching}


register(
    Kind(
        name="random_matching",
        description="every round new random groups of k play one stage game; individuals keep learning across partners",
        parse=_parse,
        run=lazy_function("tournament.models.random_matching:run"),
        seats_for=_seats,
        estimate=_estimate,
        checks=_checks,
    )
)
