"""The ``moran`` kind: a finite population under the Moran process (birth ∝ fitness, uniform
death, optional mutation), well-mixed or on networkx graphs; see
:mod:`tournament.models.moran` for the process.

``[tournament]`` keys: ``population_size``, ``shares`` (see :mod:`.population`), ``fitness``,
``selection_intensity``, ``mutation``, ``update`` (``birth_death`` or ``death_birth``), ``runs``,
``max_generations``, ``record_every``, ``cache_deterministic``, ``[tournament.graph]``
(``interaction``, ``replacement``; see :mod:`.graphs`), ``repetitions``/``turns``/``noise`` for
the types' matches.
"""

from __future__ import annotations

from typing import Any

from ..plugins import lazy_function
from ..scenario import sizes
from ..scenario.spec import Population, Scenario
from ..scenario.validation import Table, positive_int, probability
from ..seeding import graph_seed
from .graphs import GraphSpec, checked_graph, expected_edges, parse_graph
from .population import initial_counts, parse_composition, parse_selection, type_match_checks, types_of
from .registry import Kind, RecordCheck, all_seats, register

UPDATES = ("birth_death", "death_birth")


def _parse(tt: Table, scenario: Scenario) -> dict:
    out = parse_composition(tt, scenario, finite=True)
    out.update(parse_selection(tt, scenario))
    out["mutation"] = tt.get("mutation", float, 0.0, check=probability, expect="a probability in [0, 1]")
    out["update"] = tt.get("update", str, "birth_death", choices=UPDATES)
    out["runs"] = tt.get("runs", int, 100, check=positive_int, expect="a positive integer")
    out["max_generations"] = tt.get("max_generations", int, 1000, check=positive_int, expect="a positive integer")
    out["record_every"] = tt.get("record_every", int, None, check=positive_int, expect="a positive integer")
    out["cache_deterministic"] = tt.get("cache_deterministic", bool, True)
    graph = tt.table("graph", None) if "graph" in tt else None
    out["interaction"] = out["replacement"] = None
    if graph is not None:
        inter = parse_graph(graph.raw("interaction"), graph, "interaction")
        rep_raw = graph.raw("replacement", "interaction")
        if rep_raw == "interaction":
            rep = inter
        else:
            rep = parse_graph(rep_raw, graph, "replacement")
        graph.finish()
        k = scenario.game.n_players
        for pop in scenario.populations:
            n = int(initial_counts(out, types_of(pop)).sum())
            checked_graph(inter, n, graph_seed(scenario.seed, 0), graph, "interaction", min_degree=k - 1)
            checked_graph(rep, n, graph_seed(scenario.seed, 1), graph, "replacement", min_degree=1)
        out["interaction"], out["replacement"] = inter.to_dict(), rep.to_dict()
    return out


def _estimate(scenario: Scenario, population: Population, workers: int, key: str) -> tuple[list, list]:
    """The types' round robin, then every individual, the records of every run and the graphs."""
    st = scenario.settings
    types = types_of(population)
    t = len(types)
    size_key = "tournament.population_size" if st.get("population_size") else key
    memory, seconds, _ = sizes.round_robin_terms(scenario, t, True, workers, key)
    n = float(int(initial_counts(st, types).sum()))
    runs, gens = float(st["runs"]), float(st["max_generations"])
    records = runs * (gens * n / float(st["record_every"] or n) + 2)
    memory += [
        (workers * n * sizes.INDIVIDUAL_BYTES, size_key, f"{n:.4g} individuals"),
        (
            records * t * sizes.RECORD_BYTES,
            "tournament.max_generations" if st["record_every"] is None else "tournament.record_every",
            f"{records * t:.4g} share records",
        ),
    ]
    if st.get("interaction") is not None:
        edges = sum(expected_edges(GraphSpec.from_dict(st[w]), int(n)) for w in ("interaction", "replacement"))
        memory.append(
            (2 * n * sizes.GRAPH_BYTES + edges * sizes.EDGE_BYTES, "tournament.graph", f"graphs of {n:.4g} nodes")
        )
    seconds.append(
        (
            runs * gens * n * (sizes.EVENT_SECONDS + n * sizes.EVENT_INDIVIDUAL_SECONDS),
            "tournament.max_generations",
            f"{runs:.4g} runs of up to {gens:.4g} generations of {n:.4g} individuals",
        )
    )
    return memory, seconds


def _checks(scenario: Scenario) -> dict[str, RecordCheck]:
    """The types' matches, and each run (``moran_task``): its types, counts and shares."""
    from ..execution import records  # (with the run: records need the engine and the analyses)

    pops = {p.name: p for p in scenario.populations}
    pay = scenario.game.payoffs
    lo, hi = float(pay.min()), float(pay.max())

    def moran(scope: str, fields: dict, res: Any) -> None:
        names = list(types_of(pops[scope]).names)
        t = len(names)
        run = (
            records.check_int(fields.get("run"), "run", 0, scenario.settings["runs"] - 1)
            if set(fields) == {"run"}
            else records.fail("not a Moran task")
        )
        if not isinstance(res, dict) or res.get("run") != run:
            records.fail(f"Moran run {run}: not its result")
        if res.get("fixed") is not None:
            records.check_int(res["fixed"], f"Moran run {run}: fixed type", 0, t - 1)
        records.check_int(res.get("steps"), f"Moran run {run}: steps")
        counts = records.check_array(res.get("counts"), f"Moran run {run}: counts", "iu", (None, t))
        n = int(counts[0].sum()) if len(counts) else 0
        if (counts < 0).any() or (counts.sum(axis=1) != n).any():
            records.fail(f"Moran run {run}: counts do not add up to the population size")
        r = len(counts)
        for key in ("final_shares", "mean_shares"):
            a = records.check_array(res.get(key), f"Moran run {run}: {key}", "f", (t,))
            if ((a < 0) | (a > 1)).any() or abs(a.sum() - 1) > 1e-9:
                records.fail(f"Moran run {run}: {key} are not shares")
        records.check_array(res.get("generation"), f"Moran run {run}: generation", "fiu", (r,))
        mp = records.check_array(res.get("mean_payoff"), f"Moran run {run}: mean_payoff", "f", (r,))
        co = records.check_array(res.get("cooperation"), f"Moran run {run}: cooperation", "f", (r,))
        for v in mp.tolist():
            records.check_float(v, f"Moran run {run}: mean payoff", lo, hi)
        for v in co.tolist():
            records.check_float(v, f"Moran run {run}: cooperation", 0.0, 1.0)

    return {**type_match_checks(scenario), "moran_task": moran}


register(
    Kind(
        name="moran",
        description="finite-population Moran process (birth ∝ fitness, uniform death, optional mutation), "
        "well-mixed or on networkx graphs",
        parse=_parse,
        run=lazy_function("tournament.models.moran:run"),
        seats_for=all_seats,
        estimate=_estimate,
        checks=_checks,
    )
)
