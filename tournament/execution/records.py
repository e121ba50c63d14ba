"""Checking a stored task result against the run it claims to belong to (used when a
checkpoint is read; see :mod:`.checkpoint`).

Each kind says which task functions it runs and how their results are checked
(``Kind.checks``, see ``tournament.kinds.registry``); this module holds the checks' building
blocks and the check of a match record, which every kind that plays matches uses. A match
record must name the population, match id, repetition and seating of a match of
this scenario, with the entrant names of that seating, a status, a turn count within the
match settings, mean payoffs inside the range of each seat's payoffs in the game, and, when
its rounds were kept (as the scenario's ``[report] traces`` says they must be), actions that
are legal, payoffs equal to the game's payoffs of those actions, means equal to the row's
payoffs, and analysis columns equal to the analysis of those rounds. A population run
(Moran, random matching) must have the run number, types, counts and shares of this
population, and payoffs inside the game's range (checked by the kinds' own modules). Anything
else is a :class:`CheckpointError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from ..analysis.matches import match_columns
from .checkpoint import CheckpointError, Validator
from .tasks import MatchRecord


def fail(message: str) -> NoReturn:
    raise CheckpointError(message)


def check_int(v: Any, what: str, lo: int = 0, hi: int | None = None) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)):
        fail(f"{what} is not an integer")
    if v < lo or (hi is not None and v > hi):
        fail(f"{what} = {v} is outside {lo}..{hi if hi is not None else '∞'}")
    return int(v)


def check_float(v: Any, what: str, lo: float | None = None, hi: float | None = None, nan_ok: bool = True) -> float:
    if not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, (bool, np.bool_)):
        fail(f"{what} is not a number")
    x = float(v)
    if math.isnan(x):
        if not nan_ok:
            fail(f"{what} is not a number (NaN)")
        return x
    if math.isinf(x):
        fail(f"{what} is infinite")
    tol = 1e-9 * max(1.0, abs(lo or 0.0), abs(hi or 0.0))
    if (lo is not None and x < lo - tol) or (hi is not None and x > hi + tol):
        fail(f"{what} = {x!r} is outside the possible range [{lo:g}, {hi:g}]")
    return x


def check_array(v: Any, what: str, kinds: str, shape: tuple | None = None) -> np.ndarray:
    if not isinstance(v, np.ndarray) or v.dtype.kind not in kinds:
        fail(f"{what} is not a numeric array")
    if shape is not None and (v.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, v.shape))):
        fail(f"{what} has shape {v.shape}, expected {tuple('*' if s is None else s for s in shape)}")
    return v


def check_frame(v: Any, what: str, columns: set[str]) -> pd.DataFrame:
    if not isinstance(v, pd.DataFrame) or not columns <= set(map(str, v.columns)):
        fail(f"{what} is not the expected table")
    return v


def match_check(scenario, schedule: Callable[[str], tuple[list[str], list[tuple[int, ...]]]]):
    """The check of a ``play_task`` record of ``scenario``; ``schedule(scope)`` gives the entrant
    names and the seatings of one repetition of population ``scope``'s matches."""
    game = scenario.game
    k = game.n_players
    pay = np.asarray(game.payoffs, dtype=float)
    seat_lo = [float(pay[..., s].min()) for s in range(k)]
    seat_hi = [float(pay[..., s].max()) for s in range(k)]
    keep = int(scenario.report.get("traces", 1))
    turns_cap = scenario.match.turns
    fixed_length = scenario.match.prob_end is None

    def match(scope: str, fields: dict, rec: Any) -> None:
        if set(fields) != {"match_id", "repetition", "seating"}:
            fail("not a match task")
        names, seats = schedule(scope)
        mid = check_int(fields["match_id"], "match id")
        rep = check_int(fields["repetition"], "repetition", 0, scenario.repetitions - 1)
        seating = fields["seating"]
        if not (isinstance(seating, list) and len(seating) == k):
            fail("seating of the wrong size")
        seating = tuple(check_int(i, "seat's entrant", 0, len(names) - 1) for i in seating)
        if not seats or mid // len(seats) != rep or seats[mid % len(seats)] != seating:
            fail(f"match {mid} (repetition {rep}, seating {seating}) is not a match of this run")
        if not isinstance(rec, MatchRecord) or not isinstance(rec.row, dict):
            fail(f"match {mid}: not a match record")
        row = rec.row
        if row.get("match_id") != mid or row.get("repetition") != rep:
            fail(f"match {mid}: its row has match_id {row.get('match_id')!r}, repetition {row.get('repetition')!r}")
        for s in range(k):
            if row.get(f"entrant_{s}") != names[seating[s]]:
                fail(f"match {mid}: seat {s} is {row.get(f'entrant_{s}')!r}, not {names[seating[s]]!r}")
        status = row.get("status")
        if status not in ("ok", "failed") or not isinstance(row.get("error"), str):
            fail(f"match {mid}: bad status")
        turns = check_int(row.get("turns"), f"match {mid}: turns", 0, turns_cap)
        if status == "ok" and fixed_length and turns != turns_cap:
            fail(f"match {mid}: {turns} turns in a {turns_cap}-turn tournament")
        means = [
            check_float(
                row.get(f"payoff_{s}"),
                f"match {mid}: payoff_{s}",
                seat_lo[s],
                seat_hi[s],
                nan_ok=status == "failed" or turns == 0,
            )
            for s in range(k)
        ]
        for key, v in row.items():
            if not (v is None or isinstance(v, (str, bool, int, float, np.bool_, np.integer, np.floating))):
                fail(f"match {mid}: column {key!r} holds a {type(v).__name__}")
        rounds = rec.rounds
        must_keep = status == "ok" and rep < keep
        if (rounds is not None) != must_keep:
            fail(f"match {mid}: per-round data {'missing' if must_keep else 'not expected'}")
        if rounds is None:
            return
        if not isinstance(rounds, dict):
            fail(f"match {mid}: bad per-round data")
        acts = check_array(rounds.get("actions"), f"match {mid}: actions", "iu", (turns, k))
        pays = check_array(rounds.get("payoffs"), f"match {mid}: payoffs", "f", (turns, k))
        for s in range(k):
            if acts.size and (acts[:, s].min() < 0 or acts[:, s].max() >= game.n_actions[s]):
                fail(f"match {mid}: seat {s} played an action that does not exist")
        for key, arr in rounds.items():
            if not isinstance(arr, np.ndarray):
                fail(f"match {mid}: per-round {key!r} is not an array")
        if turns:
            expected = pay[tuple(acts[:, s] for s in range(k))]
            if not np.array_equal(expected, pays):
                fail(f"match {mid}: payoffs differ from the game's payoffs of the recorded actions")
            if not np.allclose(pays.mean(axis=0), means, rtol=1e-12, atol=0):
                fail(f"match {mid}: mean payoffs differ from the recorded rounds")
            for key, v in match_columns(game, acts, pays, **scenario.analysis).items():
                w = row.get(key, "missing")
                same = (w == v) or (isinstance(v, float) and isinstance(w, float) and math.isnan(v) and math.isnan(w))
                if not same:
                    fail(f"match {mid}: {key} = {w!r} does not follow from its rounds ({v!r})")

    return match


def validator(scenario, checks: dict[str, Callable[[str, dict, Any], None]]) -> Validator:
    """The record check of a scenario's run: ``checks`` holds the check of each task function
    its kind runs (``Kind.checks(scenario)``); a record of any other task is refused."""
    pops = {p.name for p in scenario.populations}
    kind = scenario.kind

    def validate(scope: str, task: str, fields: dict, value: Any) -> None:
        if scope not in pops:
            fail(f"population {scope!r} is not in the scenario")
        check = checks.get(task)
        if check is None:
            fail(f"a {task!r} result does not belong to a {kind} run")
        check(scope, fields, value)

    return validate
