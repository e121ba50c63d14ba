"""The unit of work of every tournament: play one match and turn it into a results row.

``play_task(context, task)`` is what worker processes run. It rebuilds the strategies
from their (picklable) entrant specs, seeds the match from ``(scenario seed, match id)``
and returns a :class:`MatchRecord`: the ``matches.csv`` row plus, for matches whose
traces are kept, the per-round actions and strategy traces. Matches whose every seat is a
finite automaton are played together by the batch engine instead (:func:`play_tasks`), with
the same records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strategies.automaton import Automaton

from .. import seeding
from ..analysis.matches import match_columns
from ..analysis.mechanism import mechanism_columns
from ..engine import batch
from ..engine.match import MatchModel, release_model
from ..engine.result import MatchResult
from ..errors import StrategyError
from ..game import Game

TASKS_PER_BATCH = 4096
"""Matches prepared (seeded, noise drawn) and played together by the batch engine."""


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
        game=ctx.game,
        players=[ctx.entrants[i].build() for i in task.seating],
        turns=ctx.turns,
        prob_end=ctx.prob_end,
        noise=ctx.noise,
        seed=seeding.match_seed(ctx.seed, task.match_id, ctx.stream),
        match_id=task.match_id,
        names=[ctx.entrants[i].name for i in task.seating],
        time_limit=ctx.time_limit,
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


# ------------------------------------------------------------------ automaton matches, batched
def automata_of(ctx: MatchContext, seats) -> dict[tuple[int, int], Automaton | None]:
    """Every entrant's automaton for every seat it may take (None: it has none), for the
    matches of ``ctx``. ``seats(entrant_index)`` lists the seats."""
    horizon = ctx.turns
    if ctx.prob_end is not None and ctx.turns is None:
        horizon = None
    out: dict[tuple[int, int], Automaton | None] = {}
    for e, spec in enumerate(ctx.entrants):
        probe = spec.build()
        for seat in seats(e):
            try:
                out[(e, seat)] = probe.automaton(ctx.game, seat, horizon)
            except Exception:  # noqa: BLE001 - the per-round engine reports it with seat and round
                out[(e, seat)] = None
    return out


def plays_as_automata(task: MatchTask, automata: dict) -> bool:
    return all(automata.get((e, s)) is not None for s, e in enumerate(task.seating))


def play_tasks(ctx: MatchContext, tasks: Sequence[MatchTask], automata: dict) -> list[MatchRecord]:
    """The records of ``tasks`` (every seat an automaton), exactly as ``play_task`` makes them."""
    names = [e.name for e in ctx.entrants]
    records: list[MatchRecord] = []
    for start in range(0, len(tasks), TASKS_PER_BATCH):
        group = tasks[start : start + TASKS_PER_BATCH]
        matches = [[automata[(e, s)] for s, e in enumerate(task.seating)] for task in group]
        seeds = [seeding.MatchKey(ctx.seed, task.match_id, ctx.stream) for task in group]
        played = batch.play_automata(ctx.game, matches, seeds, turns=ctx.turns, prob_end=ctx.prob_end, noise=ctx.noise)
        for task, profiles in zip(group, played):
            result = batch.results_of(ctx.game, profiles, [names[i] for i in task.seating], task.match_id)
            row = row_for(result, task, names, ctx.analysis)
            row.update({"status": "ok", "error": ""})
            records.append(MatchRecord(row, rounds_for(result) if task.repetition < ctx.keep_traces else None))
    return records
