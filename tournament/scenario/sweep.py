"""Parameter sweeps: a ``[sweep]`` table turns one scenario into several populations that differ in
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
from typing import Any

from ..errors import StrategyError
from . import budget
from .spec import EntrantSpec, Population, Scenario, default_entrant_name
from .validation import Table

_PATH = re.compile(r"^entrants\[(\d+|\*)\]\.(params\.[A-Za-z_][A-Za-z0-9_]*|count)$")


def _parts(path: str) -> tuple[str, str]:
    """(entrant index or "*", what) of a sweep key already checked against ``_PATH``."""
    m = _PATH.match(path)
    assert m is not None, path
    return m.group(1), m.group(2)


def _short(path: str, paths: list[str]) -> str:
    last = path.rsplit(".", 1)[-1]
    return last if sum(p.rsplit(".", 1)[-1] == last for p in paths) == 1 else path


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def parse_sweep(table: Table, scenario: Scenario) -> dict:
    """Parse ``[sweep]`` and replace the scenario's populations by one per point (see module doc)."""
    paths = list(table.data)
    if not paths:
        raise table.error('empty [sweep]: give at least one key such as "entrants[0].params.alpha" = [1, 2]')
    values: dict[str, list] = {}
    for path in paths:
        m = _PATH.match(path)
        if not m:
            raise table.error(
                'a sweep key is a path like "entrants[0].params.alpha", "entrants[*].params.N" or '
                '"entrants[1].count" (quote it in TOML)',
                path,
            )
        vals = table.get(path, list)
        if not vals:
            raise table.error("give a non-empty list of values", path)
        if m.group(2) == "count" and not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in vals):
            raise table.error(f"counts must be positive integers, got {vals!r}", path)
        values[path] = vals
    table.finish()
    base = scenario.populations
    # before building anything: the design's size (a 10^6-point sweep is refused here, unbuilt)
    budget.check(scenario, times=float(math.prod(len(v) for v in values.values())), key=table.path)
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
        idx = _parts(path)[0]
        if idx != "*" and int(idx) >= len(groups):
            raise table.error(f"population {pop.name!r} has only {len(groups)} [[entrants]] table(s)", path)
    out: list[EntrantSpec] = []
    for i, specs in enumerate(groups):
        first = specs[0]
        params = dict(first.params)
        count = len(specs)
        swept = set()
        for path, value in setting.items():
            idx, what = _parts(path)
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
            mine = [p for p in setting if _parts(p)[0] in ("*", str(i))]
            key = next((p for p in mine if ".params." in p), mine[0])
            raise table.error(f"entrant {i} of population {pop.name!r}: {exc}", key) from None
    return out
