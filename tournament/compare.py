"""Comparing populations side by side, parameter sweeps, and ``tournament compare``.

**Comparison table** (``comparison.csv``): one row per (population, metric, item) with the
estimate, its 95% interval and the sample size behind it, collected from each population's
summary — nothing is recomputed here:

============================  ===========================================================
metric                        source and interval
============================  ===========================================================
``mean_payoff``               standings (per entrant/type; clustered by match and stratified
                              by seating, identical repetitions once — see
                              ``tournament.analysis.observations`` — or Student-t over runs
                              for ``random_matching``)
``rate``                      ``summary["rates"]`` of the match analyses (settled, Pareto-
                              optimal, coalitions; Wilson intervals), when present
``final_share``               population kinds (bootstrap over match repetitions for the
                              infinite-population kinds, Student-t over runs otherwise)
``fixation_probability``      ``moran`` without mutation (Wilson interval over runs)
``cooperation``               ``random_matching`` (Student-t over runs)
``population_mean_payoff``    the population's mean payoff per round: over all seats, with the
                              standings' interval (round robin), at the final shares
                              (bootstrap), at the end of each run
                              (Moran; Student-t over runs), per stage game (random matching)
============================  ===========================================================

**Sweeps.** A ``[sweep]`` table turns one scenario into several populations that differ in
entrant parameters or counts; they run with the same seed (common random numbers) and are
compared like ``[[populations]]``. Keys are paths into the entrants, values the list of
values to try; several keys give the full factorial design (as Mesa's ``batch_run``)::

    [sweep]
    "entrants[0].params.alpha" = [0.5, 1, 2]     # one entrant's parameter
    "entrants[*].params.N" = [1, 2, 3]           # the same parameter of every entrant
    "entrants[1].count" = [1, 5, 10]             # initial number of individuals of a type

``entrants[i]`` is the i-th ``[[entrants]]`` table (with ``[[populations]]``, of every
population, each crossed with every point). Each point is a population named like
``alpha=0.5``; ``sweep.csv`` is the comparison table with one column per swept key.
Mesa's ``batch_run`` itself is not used: it forces the ``spawn`` start method process-wide on
import and runs its own pool, whereas the points here run through the project's executor
(any backend, results independent of the worker count).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .. import kinds
from ..errors import StrategyError, TournamentError
from ..outputs import folder_name_problem, slug, write_csv, write_json
from ..scenario import EntrantSpec, Population, Scenario, default_entrant_name
from ..validation import Table

COLUMNS = ["population", "metric", "item", "estimate", "ci_low", "ci_high", "n"]

#: the line under the title of each file's report in a ``tournament compare`` folder
BACK_LINK = "Part of a comparison: [all populations side by side](../report.md)."


# ------------------------------------------------------------------ the table
def _num(x) -> float:
    return math.nan if x is None else float(x)


def metrics_of(summary: dict) -> list[dict]:
    """The comparable metrics of one population's summary (see the module docstring)."""
    rows: list[dict] = []

    def add(metric, item, est, lo, hi, n):
        rows.append({"metric": metric, "item": str(item), "estimate": _num(est), "ci_low": _num(lo),
                     "ci_high": _num(hi), "n": _num(n)})

    for st in summary.get("standings", []) or []:
        add("mean_payoff", st.get("entrant"), st.get("mean_payoff"), st.get("ci_low"), st.get("ci_high"), st.get("n"))
    for key, rate in sorted((summary.get("rates") or {}).items()):
        if isinstance(rate, dict) and "fraction" in rate:
            add("rate", key, rate.get("fraction"), rate.get("ci_low"), rate.get("ci_high"),
                rate.get("n", rate.get("total")))
    pop = summary.get("population") or {}
    for fs in pop.get("final_shares", []) or []:
        add("final_share", fs["type"], fs.get("share"), fs.get("ci_low"), fs.get("ci_high"), fs.get("n"))
    for fx in pop.get("fixation", []) or []:
        add("fixation_probability", fx["type"], fx.get("probability"), fx.get("ci_low"), fx.get("ci_high"),
            fx.get("runs"))
    for pt in pop.get("per_type", []) or []:
        if pt.get("cooperation") is not None and not (isinstance(pt["cooperation"], float) and math.isnan(pt["cooperation"])):
            add("cooperation", pt["type"], pt["cooperation"], pt.get("cooperation_ci_low"),
                pt.get("cooperation_ci_high"), pop.get("runs"))
    mp = pop.get("mean_payoff")
    if isinstance(mp, dict):
        add("population_mean_payoff", "all", mp.get("mean"), mp.get("ci_low"), mp.get("ci_high"), mp.get("n"))
    elif isinstance(summary.get("overall"), dict):
        ov = summary["overall"]
        add("population_mean_payoff", "all", ov.get("mean"), ov.get("ci_low"), ov.get("ci_high"), ov.get("n"))
    elif summary.get("standings"):
        add("population_mean_payoff", "all", *pooled_standings(summary["standings"]))
    return rows


def pooled_standings(standings: list[dict]) -> tuple[float, float, float, int]:
    """Mean payoff over all match-seats of all entrants, with the standings' normal interval,
    from the per-entrant means, standard deviations and counts."""
    st = pd.DataFrame(standings)
    n = st["n"].to_numpy(dtype=float)
    m = st["mean_payoff"].to_numpy(dtype=float)
    sd = np.nan_to_num(st["std"].to_numpy(dtype=float)) if "std" in st else np.zeros_like(m)
    total = n.sum()
    if total == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float((n * m).sum() / total)
    if total < 2:
        return mean, math.nan, math.nan, int(total)
    var = (((n - 1) * sd**2).sum() + (n * (m - mean) ** 2).sum()) / (total - 1)
    half = 1.96 * math.sqrt(var / total)
    return mean, mean - half, mean + half, int(total)


def comparison_table(populations: dict[str, dict]) -> pd.DataFrame:
    """Long table of every population's metrics (columns :data:`COLUMNS`)."""
    rows = []
    for name, summary in populations.items():
        for row in metrics_of(summary):
            rows.append({"population": name, **row})
    return pd.DataFrame(rows, columns=COLUMNS)


def overlaps(table: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Align populations ``a`` and ``b`` on (metric, item): do their intervals overlap?

    ``separated`` is True when the intervals are disjoint (a difference at the 95% level,
    conservatively), False when they overlap, None when an interval is missing.
    """
    left = table[table.population == a].drop(columns="population")
    right = table[table.population == b].drop(columns="population")
    m = left.merge(right, on=["metric", "item"], suffixes=(f"_{a}", f"_{b}"))
    lo_a, hi_a, lo_b, hi_b = (m[f"ci_low_{a}"], m[f"ci_high_{a}"], m[f"ci_low_{b}"], m[f"ci_high_{b}"])
    known = lo_a.notna() & hi_a.notna() & lo_b.notna() & hi_b.notna()
    sep = (hi_a < lo_b) | (hi_b < lo_a)
    m["separated"] = pd.Series([bool(x) if k else None for x, k in zip(sep, known)], index=m.index, dtype=object)
    return m


# ------------------------------------------------------------------ writing
def write_comparison(out: Path, populations: dict[str, dict], sweep: dict | None = None) -> pd.DataFrame:
    """Write ``comparison.csv`` (and ``sweep.csv`` for a sweep) into ``out``."""
    table = comparison_table(populations)
    write_csv(Path(out) / "comparison.csv", table)
    if sweep:
        write_csv(Path(out) / "sweep.csv", sweep_table(table, sweep))
    return table


def sweep_table(table: pd.DataFrame, sweep: dict) -> pd.DataFrame:
    """The comparison table with one column per swept key (batch_run's tidy layout)."""
    points = pd.DataFrame([{"population": name, **values} for name, values in sweep["points"].items()])
    return points.merge(table, on="population", how="right")


# ------------------------------------------------------------------ sweeps
_PATH = re.compile(r"^entrants\[(\d+|\*)\]\.(params\.[A-Za-z_][A-Za-z0-9_]*|count)$")


def _short(path: str, paths: list[str]) -> str:
    last = path.rsplit(".", 1)[-1]
    return last if sum(p.rsplit(".", 1)[-1] == last for p in paths) == 1 else path


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def parse_sweep(table: Table, scenario: Scenario) -> dict:
    """Parse ``[sweep]`` and replace the scenario's populations by one per point (see module doc)."""
    paths = list(table.data)
    if not paths:
        raise table.error("empty [sweep]: give at least one key such as \"entrants[0].params.alpha\" = [1, 2]")
    values: dict[str, list] = {}
    for path in paths:
        m = _PATH.match(path)
        if not m:
            raise table.error(
                "a sweep key is a path like \"entrants[0].params.alpha\", \"entrants[*].params.N\" or "
                "\"entrants[1].count\" (quote it in TOML)", path)
        vals = table.get(path, list)
        if not vals:
            raise table.error("give a non-empty list of values", path)
        if m.group(2) == "count" and not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in vals):
            raise table.error(f"counts must be positive integers, got {vals!r}", path)
        values[path] = vals
    table.finish()
    base = scenario.populations
    from .. import sizes

    # before building anything: the design's size (a 10^6-point sweep is refused here, unbuilt)
    sizes.check(scenario, times=float(math.prod(len(v) for v in values.values())), key=table.path)
    expanded: list[Population] = []
    points: dict[str, dict] = {}
    for combo in itertools.product(*values.values()):
        setting = dict(zip(paths, combo))
        label = ", ".join(f"{_short(p, paths)}={_fmt(v)}" for p, v in setting.items())
        for pop in base:
            name = label if len(base) == 1 else f"{pop.name} / {label}"
            expanded.append(Population(name, _apply(pop, setting, table)))
            points[name] = {p: v for p, v in setting.items()}
    if len({p.name for p in expanded}) != len(expanded):  # pragma: no cover - labels are unique per combo
        raise table.error("sweep points have clashing names")
    scenario.populations[:] = expanded
    return {"keys": paths, "values": values, "points": points}


def _apply(pop: Population, setting: dict, table: Table) -> list[EntrantSpec]:
    """The population's entrants with the point's parameters and counts."""
    groups: list[list[EntrantSpec]] = []
    order: list[str] = []
    for spec in pop.entrants:
        name = spec.type_name or spec.name
        if name not in order:
            order.append(name)
            groups.append([])
        groups[order.index(name)].append(spec)
    for path in setting:
        idx = _PATH.match(path).group(1)
        if idx != "*" and int(idx) >= len(groups):
            raise table.error(f"population {pop.name!r} has only {len(groups)} [[entrants]] table(s)", path)
    out: list[EntrantSpec] = []
    for i, specs in enumerate(groups):
        first = specs[0]
        params = dict(first.params)
        count = len(specs)
        swept = set()
        for path, value in setting.items():
            idx, what = _PATH.match(path).groups()
            if idx != "*" and int(idx) != i:
                continue
            if what == "count":
                count = int(value)
            else:
                swept.add(what.split(".", 1)[1])
                params[what.split(".", 1)[1]] = value
        disp = first.type_name or first.name
        try:
            cls = first.strategy_class()
            if disp == default_entrant_name(first.strategy, cls, first.params):
                # a default name must not show a stale value, and must be the same at every
                # point so that the points line up: leave the swept parameters out of it
                disp = default_entrant_name(first.strategy, cls, {k: v for k, v in params.items() if k not in swept})
            for c in range(count):
                nm = disp if count == 1 else f"{disp} #{c + 1}"  # the scenario loader's naming of copies
                spec = replace(first, name=nm, params=params, type_name=disp)
                spec.build()
                out.append(spec)
        except StrategyError as exc:
            mine = [p for p in setting if _PATH.match(p).group(1) in ("*", str(i))]
            key = next((p for p in mine if ".params." in p), mine[0])
            raise table.error(f"entrant {i} of population {pop.name!r}: {exc}", key) from None
    return out


kinds.TOP_LEVEL_TABLES["sweep"] = parse_sweep


# ------------------------------------------------------------------ tournament compare
def _game_difference(a, b) -> str:
    if a.n_players != b.n_players:
        return f"{a.n_players} vs {b.n_players} players"
    if a.actions != b.actions:
        return f"actions {[list(x) for x in a.actions]} vs {[list(x) for x in b.actions]}"
    diff = np.argwhere(a.payoffs != b.payoffs)
    prof = tuple(int(x) for x in diff[0][:-1])
    return f"payoffs differ, e.g. at {a.label(prof)}: {a.payoffs[prof].tolist()} vs {b.payoffs[prof].tolist()}"


def compare_files(files: Iterable[str | Path], out: str | Path, workers: int = 1, *, progress: bool = False,
                  **run_options) -> dict:
    """Run scenario files that share a game and compare all their populations side by side.

    Every file is validated (and the games checked equal) before anything runs. Each file's
    results go to ``out/<file stem>/``; ``out`` gets ``comparison.csv``, ``comparison.json``
    and ``report.md``. Each file keeps its own seed (give them the same seed for common
    random numbers). ``run_options`` (``resume``, ``restart``, ``backend``, ``scheduler``)
    go to every :func:`~tournament.runner.run_scenario`. Returns the comparison summary.
    """
    from ..runner import run_scenario
    from ..scenario import load_scenario

    files = [Path(f) for f in files]
    if len(files) < 2:
        raise TournamentError("compare needs at least two scenario files")
    scenarios = [load_scenario(f) for f in files]
    first = scenarios[0]
    for f, sc in zip(files[1:], scenarios[1:]):
        if sc.game != first.game:
            raise TournamentError(
                f"{f}: its game {sc.game.name!r} is not the game of {files[0]} ({first.game.name!r}): "
                f"{_game_difference(first.game, sc.game)}; compare runs populations on one game")
    out = Path(out)
    stems: list[str] = []
    for f in files:
        problem = folder_name_problem(f.stem)
        if problem:
            raise TournamentError(f"{f}: its results folder would be named after the file, but {f.stem!r} "
                                  f"{problem}; rename the file")
        stem = slug(f.stem)
        while stem.lower() in {s.lower() for s in stems}:  # a.toml and A.toml: distinct folders
            stem += "_"
        stems.append(stem)
    from ..results_folder import ResultsFolder

    folder = ResultsFolder(out)
    folder.prepare(stems)
    with folder:  # one comparison at a time in this folder; each file's run locks its own
        return _compare(files, scenarios, stems, folder.root, workers, progress, run_options)


def _compare(files, scenarios, stems, out: Path, workers, progress, run_options) -> dict:
    from ..runner import run_scenario

    populations: dict[str, dict] = {}
    entries: dict[str, dict] = {}
    for f, sc, stem in zip(files, scenarios, stems):
        res = run_scenario(sc, out=out / stem, workers=workers, progress=progress, report_header=BACK_LINK,
                           **run_options)
        pops = res.summary.get("populations")
        if pops:
            for pname, psum in pops.items():
                label = f"{stem}/{pname}"
                populations[label] = psum
                entries[label] = {"file": str(f), "seed": sc.seed, "kind": sc.kind, "folder": f"{stem}/{slug(pname)}"}
        else:
            populations[stem] = res.summary
            entries[stem] = {"file": str(f), "seed": sc.seed, "kind": sc.kind, "folder": stem}
    table = write_comparison(out, populations)
    summary = {
        "comparison": [str(f) for f in files], "game": res.summary["game"],
        "populations": {name: {**entries[name], **populations[name]} for name in populations},
    }
    write_json(out / "comparison.json", summary)
    from ..report.populations import write_comparison_report

    write_comparison_report(out, summary, table)
    return summary
