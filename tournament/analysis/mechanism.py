"""Which mechanism held a match's outcome: the ``mechanism_i`` columns of ``matches.csv``
and the strategies' set-up in ``summary.json``.

Two duck-typed hooks, implemented by the infra-Bayesian haggler and open to any strategy:

- ``strategy.mechanism(start) -> str``: what the strategy followed from round ``start`` to
  the end of the match (the haggler: the classes of the hypotheses it followed, e.g.
  ``password`` or ``password>top``). A match row calls it with ``start`` = the onset of
  the stable cycle; ``mechanism_i`` is ``unsettled`` when the match has no stable cycle
  and empty for seats whose strategy has no such hook.
- ``strategy.setup_summary(game, seat) -> dict``: how the strategy is set up at a seat (the
  haggler: hypothesis counts per class, sizes, budget cut), listed per entrant under
  ``strategy_setup`` in ``summary.json``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from ..errors import TournamentError

UNSETTLED = "unsettled"


def mechanism_columns(result, row: dict) -> dict:
    """``mechanism_i`` for every seat, or nothing when no seat's strategy reports one.

    ``row`` holds the match's analysis columns (``settled``, ``cycle_onset``)."""
    strategies = getattr(result, "strategies", None) or []
    hooks: dict[int, Callable[[int], object]] = {
        seat: fn for seat, s in enumerate(strategies) if callable(fn := getattr(s, "mechanism", None))
    }
    if not hooks:
        return {}
    settled = bool(row.get("settled"))
    onset = row.get("cycle_onset")
    out = {}
    for seat in range(len(strategies)):
        if seat not in hooks:
            out[f"mechanism_{seat}"] = ""
        elif not settled or onset is None or (isinstance(onset, float) and math.isnan(onset)):
            out[f"mechanism_{seat}"] = UNSETTLED
        else:
            out[f"mechanism_{seat}"] = str(hooks[seat](int(onset)))
    return out


def mechanism_seats(matches: pd.DataFrame) -> list[int]:
    """Seats that have a ``mechanism_i`` column, in order."""
    return sorted(int(c[10:]) for c in matches.columns if c.startswith("mechanism_") and c[10:].isdigit())


def mechanism_counts(matches: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Entrant name -> {mechanism: number of (match, seat) pairs}, over the seats that
    report one (finished matches only)."""
    if matches is None or matches.empty:
        return {}
    if "status" in matches:
        matches = matches[matches["status"] == "ok"]
    out: dict[str, Counter] = {}
    for seat in mechanism_seats(matches):
        col, ent = f"mechanism_{seat}", f"entrant_{seat}"
        if ent not in matches:
            continue
        for name, mech in zip(matches[ent].astype(str), matches[col]):
            if isinstance(mech, str) and mech:
                out.setdefault(name, Counter())[mech] += 1
    return {name: dict(c.most_common()) for name, c in sorted(out.items())}


def setup_summary(game, entrants: Sequence[Any]) -> dict[str, list[dict]]:
    """Per entrant (copies made by ``count`` once, under their table's name), the
    ``setup_summary`` of every seat, seats with the same set-up merged:
    ``{name: [{"seats": [0, 1], ...}, ...]}``. Entrants without the hook are left out."""
    out: dict[str, list[dict]] = {}
    seen: set = set()
    for spec in entrants:
        name = getattr(spec, "type_name", None) or spec.name
        key = (name, repr(spec.strategy), repr(spec.params))
        if key in seen:
            continue
        seen.add(key)
        strat = spec.build()
        fn = getattr(strat, "setup_summary", None)
        if not callable(fn):
            continue
        groups: list[dict] = []
        for seat in range(game.n_players):
            try:
                info = fn(game, seat)
            except (ValueError, TournamentError):  # a seat this entrant cannot take: nothing to list
                continue
            same = next((g for g in groups if _same(g, info)), None)
            if same is None:
                groups.append({"seats": [seat], **info})
            else:
                same["seats"].append(seat)
        label = name if name not in out else spec.name
        out[label] = groups
    return out


def _same(group: dict, info: dict) -> bool:
    rest = {k: v for k, v in group.items() if k != "seats"}
    return json.dumps(rest, sort_keys=True, default=str) == json.dumps(info, sort_keys=True, default=str)
