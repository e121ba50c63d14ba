"""Comparing populations side by side: the comparison table of their summaries.

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
"""

from __future__ import annotations

import math

import pandas as pd

COLUMNS = ["population", "metric", "item", "estimate", "ci_low", "ci_high", "n"]


# ------------------------------------------------------------------ the table
def _num(x) -> float:
    return math.nan if x is None else float(x)


def metrics_of(summary: dict) -> list[dict]:
    """The comparable metrics of one population's summary (see the module docstring)."""
    rows: list[dict] = []

    def add(metric, item, est, lo, hi, n):
        rows.append(
            {
                "metric": metric,
                "item": str(item),
                "estimate": _num(est),
                "ci_low": _num(lo),
                "ci_high": _num(hi),
                "n": _num(n),
            }
        )

    for st in summary.get("standings", []) or []:
        add("mean_payoff", st.get("entrant"), st.get("mean_payoff"), st.get("ci_low"), st.get("ci_high"), st.get("n"))
    for key, rate in sorted((summary.get("rates") or {}).items()):
        if isinstance(rate, dict) and "fraction" in rate:
            add(
                "rate",
                key,
                rate.get("fraction"),
                rate.get("ci_low"),
                rate.get("ci_high"),
                rate.get("n", rate.get("total")),
            )
    pop = summary.get("population") or {}
    for fs in pop.get("final_shares", []) or []:
        add("final_share", fs["type"], fs.get("share"), fs.get("ci_low"), fs.get("ci_high"), fs.get("n"))
    for fx in pop.get("fixation", []) or []:
        add(
            "fixation_probability",
            fx["type"],
            fx.get("probability"),
            fx.get("ci_low"),
            fx.get("ci_high"),
            fx.get("runs"),
        )
    for pt in pop.get("per_type", []) or []:
        if pt.get("cooperation") is not None and not (
            isinstance(pt["cooperation"], float) and math.isnan(pt["cooperation"])
        ):
            add(
                "cooperation",
                pt["type"],
                pt["cooperation"],
                pt.get("cooperation_ci_low"),
                pt.get("cooperation_ci_high"),
                pop.get("runs"),
            )
    mp = pop.get("mean_payoff")
    if isinstance(mp, dict):
        add("population_mean_payoff", "all", mp.get("mean"), mp.get("ci_low"), mp.get("ci_high"), mp.get("n"))
    elif isinstance(summary.get("overall"), dict):
        ov = summary["overall"]
        add("population_mean_payoff", "all", ov.get("mean"), ov.get("ci_low"), ov.get("ci_high"), ov.get("n"))
    return rows


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


def sweep_table(table: pd.DataFrame, sweep: dict) -> pd.DataFrame:
    """The comparison table with one column per swept key (batch_run's tidy layout)."""
    points = pd.DataFrame([{"population": name, **values} for name, values in sweep["points"].items()])
    return points.merge(table, on="population", how="right")
