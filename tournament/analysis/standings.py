"""Standings and cross tables from the per-match results table.

An entrant's score is its mean payoff per round over all its match-seats. Its interval is
clustered by match and stratified by seating, and identical repetitions of a deterministic
seating count as one observation (see :mod:`tournament.analysis.observations`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .observations import finished, mark, mean_interval

#: the standings columns, in order
COLUMNS = ["rank", "entrant", "mean_payoff", "ci_low", "ci_high", "n", "seats", "deterministic"]


def seat_results(matches: pd.DataFrame, k: int) -> pd.DataFrame:
    """Long table: one row per (match, seat) with entrant and its mean payoff."""
    parts = []
    for seat in range(k):
        part = matches[["match_id", f"entrant_{seat}", f"payoff_{seat}"]].copy()
        part.columns = ["match_id", "entrant", "payoff"]
        part["seat"] = seat
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _per_match(long: pd.DataFrame) -> pd.DataFrame:
    """Seat rows -> one row per (entrant, match): payoff sum ``y`` and seats ``c``."""
    return (
        long.groupby(["entrant", "match_id"], sort=False)
        .agg(
            y=("payoff", "sum"),
            c=("payoff", "size"),
            seating=("seating", "first"),
            deterministic=("deterministic", "first"),
        )
        .reset_index()
    )


def _marked_long(matches: pd.DataFrame, k: int, detect_identical: bool = True) -> pd.DataFrame:
    ok = mark(finished(matches), detect_identical)
    long = seat_results(ok, k)
    extra = ok[["match_id", "seating", "deterministic"]]
    return long.merge(extra, on="match_id", how="left")


def standings(
    matches: pd.DataFrame, k: int, entrant_order: list[str] | None = None, detect_identical: bool = True
) -> pd.DataFrame:
    """Per entrant: mean payoff per round over all its seats in all finished matches, a 95%
    interval (clustered by match, stratified by seating; see the module docstring), ``n``
    independent observations, ``seats`` (match-seats played), ``deterministic`` (every one of
    its matches deterministic: the mean is exact) and rank (1 = best; none without a
    finished match). ``detect_identical``: see :func:`~.analysis.observations.mark`."""
    names = list(entrant_order) if entrant_order is not None else []
    for c in (f"entrant_{s}" for s in range(k)):
        for name in matches[c].astype(str):
            if name not in names:
                names.append(name)
    per = _per_match(_marked_long(matches, k, detect_identical))
    rows = []
    for name in names:
        sel = per[per["entrant"] == name]
        iv = mean_interval(sel["y"], sel["c"], sel["seating"], sel["deterministic"])
        rows.append(
            {
                "entrant": name,
                "mean_payoff": iv["mean"],
                "ci_low": iv["ci_low"],
                "ci_high": iv["ci_high"],
                "n": iv["n"],
                "seats": iv["seats"],
                "deterministic": iv["deterministic"],
            }
        )
    return ranked(rows)


def ranked(rows: list[dict]) -> pd.DataFrame:
    """The standings table of every kind from one row per entrant (``entrant``, ``mean_payoff``,
    its interval, ``n`` and, for kinds made of matches, ``seats`` and ``deterministic``):
    best mean first (ties keep the entrants' order), ranked 1, 2, ... with ties sharing the
    best rank; an entrant without a mean (no finished match, no run) comes last, unranked."""
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS[1:] if any(c in r for r in rows)] or COLUMNS[1:])
    table = table.sort_values("mean_payoff", ascending=False, kind="stable", na_position="last")
    table.insert(0, "rank", table["mean_payoff"].rank(ascending=False, method="min").astype("Int64"))
    return table.reset_index(drop=True)


def overall(matches: pd.DataFrame, k: int, detect_identical: bool = True) -> dict:
    """The mean payoff per round over every seat of every finished match, with the same
    kind of interval as the standings: ``mean``, ``ci_low``, ``ci_high``, ``n``, ``seats``,
    ``deterministic``."""
    long = _marked_long(matches, k, detect_identical)
    long["entrant"] = "all"
    per = _per_match(long)
    iv = mean_interval(per["y"], per["c"], per["seating"], per["deterministic"])
    iv.pop("df")
    return iv


def cross_table(matches: pd.DataFrame, entrant_order: list[str] | None = None) -> pd.DataFrame:
    """2-player games: mean payoff of the row entrant against the column entrant (NaN where
    they never met, e.g. the diagonal without self-play); rows with a ``games`` column
    (random matching) weigh by it."""
    rows = []
    weights = matches["games"] if "games" in matches else pd.Series(1.0, index=matches.index)
    for a, b in ((0, 1), (1, 0)):
        part = matches[[f"entrant_{a}", f"entrant_{b}", f"payoff_{a}"]].copy()
        part.columns = ["entrant", "opponent", "payoff"]
        part["w"] = weights.to_numpy(dtype=float)  # random matching: a row stands for `games` stage games
        part["wp"] = part["payoff"] * part["w"]
        rows.append(part)
    long = pd.concat(rows, ignore_index=True).dropna(subset=["payoff"])
    if long.empty:  # nothing finished
        table = pd.DataFrame(dtype=float)
    else:
        sums = long.pivot_table(index="entrant", columns="opponent", values=["wp", "w"], aggfunc="sum")
        table = sums["wp"] / sums["w"]
    if entrant_order is not None:
        order = [e for e in entrant_order if e in table.index or e in table.columns]
        table = table.reindex(index=order, columns=order)
    return table.astype(float).where(np.isfinite(table.astype(float)))
