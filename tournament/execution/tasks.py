"""The unit of work of every tournament: play one match and turn it into a results row.

``play_task(context, task)`` is what worker processes run. It rebuilds the strategies
from their (picklable) entrant specs, seeds the match from ``(scenario seed, match id)``
and returns a :class:`MatchRecord`: the ``matches.csv`` row plus, for matches whose
traces are kept, the per-round actions and strategy traces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from . import seeding
from .errors import StrategyError
from .execution import release_model
from .game import Game
from .match import MatchModel, MatchResult


@dataclass(frozen=True)
class MatchTask:
    match_id: int
    repetition: int
    seating: tuple[int, ...]  # entrant index per seat


@dataclass
class MatchContext:
    """What every match of a tournament shares (sent once to each worker)."""

    game: Game
    entrants: Sequence[Any]  # EntrantSpec
    turns: int | None
    prob_end: float | None
    noise: float
    seed: int
    keep_traces: int = 1  # repetitions < keep_traces keep per-round data
    analysis: dict = field(default_factory=dict)  # the scenario's [analysis] settings
    on_error: str = "abort"  # or "forfeit": a failing match is recorded as failed
    time_limit: float | None = None  # seconds per match
    stream: int = seeding.MATCH_STREAM
    reveal_length: bool = True  # [tournament] reveal_length: strategies see a fixed length


@dataclass
class MatchRecord:
    row: dict
    rounds: dict[str, np.ndarray] | None = None  # "actions", "payoffs", "s{seat}.{trace}"
    result: MatchResult | None = field(default=None, repr=False)
    error: StrategyError | None = None  # why a forfeited match failed


def row_for(result: MatchResult, task: MatchTask, entrant_names: Sequence[str], analysis: dict | None = None) -> dict:
    """The ``matches.csv`` row of a finished match (analysis columns included)."""
    from .analysis import match_columns
    from .mechanism import mechanism_columns

    k = result.game.n_players
    row: dict[str, Any] = {"match_id": task.match_id, "repetition": task.repetition}
    for seat in range(k):
        row[f"entrant_{seat}"] = entrant_names[task.seating[seat]]
    means = result.mean_payoffs
    for seat in range(k):
        row[f"payoff_{seat}"] = float(means[seat])
    row["turns"] = result.turns
    row.update(match_columns(result.game, result.actions, result.payoffs, **(analysis or {})))
    row.update(mechanism_columns(result, row))  # e.g. the hypothesis class a haggler settled on
    return row


def rounds_for(result: MatchResult) -> dict[str, np.ndarray]:
    data = {"actions": result.actions, "payoffs": result.payoffs}
    for seat, traces in enumerate(result.traces):
        for key, arr in traces.items():
            data[f"s{seat}.{key}"] = arr
    return data


def failed_row(ctx: MatchContext, task: MatchTask, error: Exception, rounds_played: int) -> dict:
    """The ``matches.csv`` row of a forfeited match: NaN payoffs (left out of the
    standings and the rates), ``status = "failed"`` and the error message."""
    from .analysis import match_columns

    k = ctx.game.n_players
    row: dict[str, Any] = {"match_id": task.match_id, "repetition": task.repetition}
    for seat in range(k):
        row[f"entrant_{seat}"] = ctx.entrants[task.seating[seat]].name
    for seat in range(k):
        row[f"payoff_{seat}"] = float("nan")
    row["turns"] = rounds_played
    empty = np.zeros((0, k), dtype=np.int64)
    row.update(match_columns(ctx.game, empty, np.zeros((0, k)), **ctx.analysis))
    row.update({"status": "failed", "error": str(error)})
    return row


def match_arguments(ctx: MatchContext, task: MatchTask) -> dict[str, Any]:
    """The ``MatchModel`` keyword arguments of a task: fresh strategies, the match's seed."""
    return dict(
        game=ctx.game, players=[ctx.entrants[i].build() for i in task.seating], turns=ctx.turns,
        prob_end=ctx.prob_end, noise=ctx.noise, seed=seeding.match_seed(ctx.seed, task.match_id, ctx.stream),
        match_id=task.match_id, names=[ctx.entrants[i].name for i in task.seating], time_limit=ctx.time_limit,
        reveal_length=ctx.reveal_length,
    )


def play_task(ctx: MatchContext, task: MatchTask) -> MatchRecord:
    args = match_arguments(ctx, task)  # strategies are built outside the forfeit handling, as before
    model = None
    try:
        model = MatchModel(**args)
        result = model.run()
    except StrategyError as exc:
        if ctx.on_error != "forfeit":
            raise
        played = model.round if model is not None else 0
        return MatchRecord(failed_row(ctx, task, exc, played), error=exc)
    finally:
        if model is not None:
            release_model(model)
    row = row_for(result, task, [e.name for e in ctx.entrants], ctx.analysis)
    row.update({"status": "ok", "error": ""})
    rounds = rounds_for(result) if task.repetition < ctx.keep_traces else None
    return MatchRecord(row, rounds)
