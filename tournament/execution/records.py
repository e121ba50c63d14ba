"""Checking a stored task result against the run it claims to belong to (used when a
checkpoint is read; see ``checkpoint``).

A match record must name the population, match id, repetition and seating of a match of
this scenario, with the entrant names of that seating, a status, a turn count within the
match settings, mean payoffs inside the range of each seat's payoffs in the game, and, when
its rounds were kept (as the scenario's ``[report] traces`` says they must be), actions that
are legal, payoffs equal to the game's payoffs of those actions, means equal to the row's
payoffs, and analysis columns equal to the analysis of those rounds. A population run
(Moran, random matching) must have the run number, types, counts and shares of this
population, and payoffs inside the game's range. Anything else is a :class:`CheckpointError`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .checkpoint import CheckpointError, Validator


def _fail(message: str):
    raise CheckpointError(message)


def _int(v: Any, what: str, lo: int = 0, hi: int | None = None) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)):
        _fail(f"{what} is not an integer")
    if v < lo or (hi is not None and v > hi):
        _fail(f"{what} = {v} is outside {lo}..{hi if hi is not None else '∞'}")
    return int(v)


def _float(v: Any, what: str, lo: float | None = None, hi: float | None = None, nan_ok: bool = True) -> float:
    if not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, (bool, np.bool_)):
        _fail(f"{what} is not a number")
    x = float(v)
    if math.isnan(x):
        if not nan_ok:
            _fail(f"{what} is not a number (NaN)")
        return x
    if math.isinf(x):
        _fail(f"{what} is infinite")
    tol = 1e-9 * max(1.0, abs(lo or 0.0), abs(hi or 0.0))
    if (lo is not None and x < lo - tol) or (hi is not None and x > hi + tol):
        _fail(f"{what} = {x!r} is outside the possible range [{lo:g}, {hi:g}]")
    return x


def _array(v: Any, what: str, kinds: str, shape: tuple | None = None) -> np.ndarray:
    if not isinstance(v, np.ndarray) or v.dtype.kind not in kinds:
        _fail(f"{what} is not a numeric array")
    if shape is not None and (v.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, v.shape))):
        _fail(f"{what} has shape {v.shape}, expected {tuple('*' if s is None else s for s in shape)}")
    return v


def _frame(v: Any, what: str, columns: set[str]) -> pd.DataFrame:
    if not isinstance(v, pd.DataFrame) or not columns <= set(map(str, v.columns)):
        _fail(f"{what} is not the expected table")
    return v


def validator_for(scenario) -> Validator:
    """The record check of a scenario's run (see the module docstring)."""
    from . import kinds
    from .population.common import types_of

    game = scenario.game
    k = game.n_players
    pay = np.asarray(game.payoffs, dtype=float)
    seat_lo = [float(pay[..., s].min()) for s in range(k)]
    seat_hi = [float(pay[..., s].max()) for s in range(k)]
    lo, hi = float(pay.min()), float(pay.max())
    pops = {p.name: p for p in scenario.populations}
    kind = scenario.kind
    keep = int(scenario.report.get("traces", 1))
    turns_cap = scenario.match.turns
    fixed_length = scenario.match.prob_end is None

    @lru_cache(maxsize=None)
    def schedule(scope: str) -> tuple[list[str], list[tuple[int, ...]]]:
        from .roundrobin import seatings

        pop = pops[scope]
        if kind == "round_robin":
            names = [e.name for e in pop.entrants]
            self_play = bool(scenario.settings.get("self_play", False))
        else:
            names = list(types_of(pop).names)
            self_play = True
        return names, seatings(len(names), k, game.is_symmetric, self_play)

    def match(scope: str, fields: dict, rec: Any) -> None:
        from .tasks import MatchRecord

        if set(fields) != {"match_id", "repetition", "seating"}:
            _fail("not a match task")
        names, seats = schedule(scope)
        mid = _int(fields["match_id"], "match id")
        rep = _int(fields["repetition"], "repetition", 0, scenario.repetitions - 1)
        seating = fields["seating"]
        if not (isinstance(seating, list) and len(seating) == k):
            _fail("seating of the wrong size")
        seating = tuple(_int(i, "seat's entrant", 0, len(names) - 1) for i in seating)
        if not seats or mid // len(seats) != rep or seats[mid % len(seats)] != seating:
            _fail(f"match {mid} (repetition {rep}, seating {seating}) is not a match of this run")
        if not isinstance(rec, MatchRecord) or not isinstance(rec.row, dict):
            _fail(f"match {mid}: not a match record")
        row = rec.row
        if row.get("match_id") != mid or row.get("repetition") != rep:
            _fail(f"match {mid}: its row has match_id {row.get('match_id')!r}, repetition {row.get('repetition')!r}")
        for s in range(k):
            if row.get(f"entrant_{s}") != names[seating[s]]:
                _fail(f"match {mid}: seat {s} is {row.get(f'entrant_{s}')!r}, not {names[seating[s]]!r}")
        status = row.get("status")
        if status not in ("ok", "failed") or not isinstance(row.get("error"), str):
            _fail(f"match {mid}: bad status")
        turns = _int(row.get("turns"), f"match {mid}: turns", 0, turns_cap)
        if status == "ok" and fixed_length and turns != turns_cap:
            _fail(f"match {mid}: {turns} turns in a {turns_cap}-turn tournament")
        means = [_float(row.get(f"payoff_{s}"), f"match {mid}: payoff_{s}", seat_lo[s], seat_hi[s],
                        nan_ok=status == "failed" or turns == 0) for s in range(k)]
        for key, v in row.items():
            if not (v is None or isinstance(v, (str, bool, int, float, np.bool_, np.integer, np.floating))):
                _fail(f"match {mid}: column {key!r} holds a {type(v).__name__}")
        rounds = rec.rounds
        must_keep = status == "ok" and rep < keep
        if (rounds is not None) != must_keep:
            _fail(f"match {mid}: per-round data {'missing' if must_keep else 'not expected'}")
        if rounds is None:
            return
        if not isinstance(rounds, dict):
            _fail(f"match {mid}: bad per-round data")
        acts = _array(rounds.get("actions"), f"match {mid}: actions", "iu", (turns, k))
        pays = _array(rounds.get("payoffs"), f"match {mid}: payoffs", "f", (turns, k))
        for s in range(k):
            if acts.size and (acts[:, s].min() < 0 or acts[:, s].max() >= game.n_actions[s]):
                _fail(f"match {mid}: seat {s} played an action that does not exist")
        for key, arr in rounds.items():
            if not isinstance(arr, np.ndarray):
                _fail(f"match {mid}: per-round {key!r} is not an array")
        if turns:
            expected = pay[tuple(acts[:, s] for s in range(k))]
            if not np.array_equal(expected, pays):
                _fail(f"match {mid}: payoffs differ from the game's payoffs of the recorded actions")
            if not np.allclose(pays.mean(axis=0), means, rtol=1e-12, atol=0):
                _fail(f"match {mid}: mean payoffs differ from the recorded rounds")
            from .analysis import match_columns

            for key, v in match_columns(game, acts, pays, **scenario.analysis).items():
                w = row.get(key, "missing")
                same = (w == v) or (isinstance(v, float) and isinstance(w, float) and math.isnan(v) and math.isnan(w))
                if not same:
                    _fail(f"match {mid}: {key} = {w!r} does not follow from its rounds ({v!r})")

    def moran(scope: str, fields: dict, res: Any) -> None:
        names = list(types_of(pops[scope]).names)
        t = len(names)
        run = _int(fields.get("run"), "run", 0, scenario.settings["runs"] - 1) if set(fields) == {"run"} \
            else _fail("not a Moran task")
        if not isinstance(res, dict) or res.get("run") != run:
            _fail(f"Moran run {run}: not its result")
        if res.get("fixed") is not None:
            _int(res["fixed"], f"Moran run {run}: fixed type", 0, t - 1)
        _int(res.get("steps"), f"Moran run {run}: steps")
        counts = _array(res.get("counts"), f"Moran run {run}: counts", "iu", (None, t))
        n = int(counts[0].sum()) if len(counts) else 0
        if (counts < 0).any() or (counts.sum(axis=1) != n).any():
            _fail(f"Moran run {run}: counts do not add up to the population size")
        r = len(counts)
        for key in ("final_shares", "mean_shares"):
            a = _array(res.get(key), f"Moran run {run}: {key}", "f", (t,))
            if ((a < 0) | (a > 1)).any() or abs(a.sum() - 1) > 1e-9:
                _fail(f"Moran run {run}: {key} are not shares")
        _array(res.get("generation"), f"Moran run {run}: generation", "fiu", (r,))
        mp = _array(res.get("mean_payoff"), f"Moran run {run}: mean_payoff", "f", (r,))
        co = _array(res.get("cooperation"), f"Moran run {run}: cooperation", "f", (r,))
        for v in mp.tolist():
            _float(v, f"Moran run {run}: mean payoff", lo, hi)
        for v in co.tolist():
            _float(v, f"Moran run {run}: cooperation", 0.0, 1.0)

    def matching(scope: str, fields: dict, res: Any) -> None:
        names = list(types_of(pops[scope]).names)
        run = _int(fields.get("run"), "run", 0, scenario.settings["runs"] - 1) if set(fields) == {"run"} \
            else _fail("not a random-matching task")
        if not isinstance(res, dict) or res.get("run") != run:
            _fail(f"random-matching run {run}: not its result")
        shares = _frame(res.get("shares"), "shares", {"run", "type", "count", "share", "mean_payoff", "cooperation"})
        pop = _frame(res.get("population"), "population", {"run", "mean_payoff", "cooperation"})
        ind = _frame(res.get("individuals"), "individuals", {"run", "type", "games", "mean_payoff", "cooperation"})
        for frame, what in ((shares, "shares"), (pop, "population"), (ind, "individuals")):
            if not (frame["run"] == run).all():
                _fail(f"random-matching run {run}: {what} of another run")
            for col in ("mean_payoff", "cooperation", "share"):
                if col in frame:
                    vals = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
                    rng = (0.0, 1.0) if col != "mean_payoff" else (lo, hi)
                    bad = ~np.isnan(vals) & ((vals < rng[0] - 1e-9) | (vals > rng[1] + 1e-9))
                    if bad.any():
                        _fail(f"random-matching run {run}: {what}.{col} outside [{rng[0]:g}, {rng[1]:g}]")
        for frame in (shares, ind):
            if not frame["type"].isin(names).all():
                _fail(f"random-matching run {run}: a type that is not in this population")
        per_type = res.get("per_type")
        if not isinstance(per_type, dict) or set(per_type) != set(names):
            _fail(f"random-matching run {run}: per-type results of other types")
        fs = _array(res.get("final_shares"), f"random-matching run {run}: final shares", "f", (len(names),))
        if ((fs < 0) | (fs > 1)).any():
            _fail(f"random-matching run {run}: final shares are not shares")
        _float(res.get("mean_payoff"), f"random-matching run {run}: mean payoff", lo, hi)

    checks = {"play_task": match, "moran_task": moran, "matching_task": matching}
    allowed = {"play_task": kind != "random_matching", "moran_task": kind == "moran",
               "matching_task": kind == "random_matching"}
    kinds.get(kind)  # the kind exists (the scenario validated)

    def validate(scope: str, task: str, fields: dict, value: Any) -> None:
        if scope not in pops:
            _fail(f"population {scope!r} is not in the scenario")
        if not allowed.get(task):
            _fail(f"a {task!r} result does not belong to a {kind} run")
        checks[task](scope, fields, value)

    return validate
