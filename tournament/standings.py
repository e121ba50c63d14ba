"""Standings and cross tables from the per-match results table."""

from __future__ import annotations

import numpy as np
import pandas as pd


def seat_results(matches: pd.DataFrame, k: int) -> pd.DataFrame:
    """Long table: one row per (match, seat) with entrant and its mean payoff."""
    parts = []
    for seat in range(k):
        part = matches[["match_id", f"entrant_{seat}", f"payoff_{seat}"]].copy()
        part.columns = ["match_id", "entrant", "payoff"]
        part["seat"] = seat
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def standings(matches: pd.DataFrame, k: int, entrant_order: list[str] | None = None) -> pd.DataFrame:
    """Per entrant: mean payoff per round over all its seats in all matches, with a 95%
    normal-approximation confidence interval, number of match-seats, and rank (1 = best)."""
    long = seat_results(matches, k)
    g = long.groupby("entrant")["payoff"]
    # forfeited matches have NaN payoffs and are left out (count, not size)
    table = pd.DataFrame({"mean_payoff": g.mean(), "std": g.std(ddof=1), "n": g.count()})
    half = 1.96 * table["std"].fillna(0.0) / np.sqrt(table["n"])
    table["ci_low"] = table["mean_payoff"] - half
    table["ci_high"] = table["mean_payoff"] + half
    if entrant_order is not None:
        table = table.reindex([e for e in entrant_order if e in table.index])
    table = table.sort_values("mean_payoff", ascending=False, kind="stable", na_position="last")
    # an entrant with no finished match (all forfeited) has no rank
    table["rank"] = table["mean_payoff"].rank(ascending=False, method="min").astype("Int64")
    table = table.reset_index().rename(columns={"index": "entrant"})
    return table[["rank", "entrant", "mean_payoff", "ci_low", "ci_high", "std", "n"]]


def cross_table(matches: pd.DataFrame, entrant_order: list[str] | None = None) -> pd.DataFrame:
    """2-player games: mean payoff of the row entrant against the column entrant."""
    rows = []
    for a, b in ((0, 1), (1, 0)):
        part = matches[[f"entrant_{a}", f"entrant_{b}", f"payoff_{a}"]].copy()
        part.columns = ["entrant", "opponent", "payoff"]
        rows.append(part)
    long = pd.concat(rows, ignore_index=True)
    table = long.pivot_table(index="entrant", columns="opponent", values="payoff", aggfunc="mean")
    if entrant_order is not None:
        order = [e for e in entrant_order if e in table.index or e in table.columns]
        table = table.reindex(index=order, columns=order)
    return table
