"""Analyses of match logs (SPEC §6): stable cycles, Pareto optimality, coalitions, and
symmetric optima.

``match_columns`` gives the analysis columns of one ``matches.csv`` row (run in the worker
that played the match); ``summary_fields`` the rates in ``summary.json``.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from .coalitions import (  # noqa: F401
    CoalitionReport,
    analyze_coalitions,
    coalition_structure,
    format_structure,
    pure_coalition_structure,
)
from .cycles import Cycle, find_cycle  # noqa: F401
from .pareto import (  # noqa: F401
    is_feasible,
    is_pareto_optimal,
    pareto_frontier_2d,
    pareto_frontier_segments,
    pareto_gap,
    pareto_profile_share,
    sample_frontier,
)

#: the scenario's ``[analysis]`` table: key -> (type, default, description)
ANALYSIS_KEYS: dict[str, tuple] = {
    "cycle_min_repeats": (int, 3, "a stable cycle must repeat at least this many times at the end (>= 2)"),
    "cycle_min_tail": (float, 0.0, "...and its periodic tail must cover at least this fraction of the rounds"),
    "coalition_outsiders": (str, "correlated", "U'_C 'correlated' (outsiders see the group's action) or U_C 'independent'"),
}


def match_columns(game, actions: np.ndarray, payoffs: np.ndarray, *, cycle_min_repeats: int = 3,
                  cycle_min_tail: float = 0.0, coalition_outsiders: str = "correlated") -> dict:
    """Analysis columns of one match: ``settled``, ``cycle_period``, ``cycle_onset``,
    ``cycle_payoff_i``, ``pareto_optimal``, ``pareto_gap``, ``pareto_profile_share`` and,
    for k >= 3, ``coalition``, ``coalition_stable``, ``blocking_groups``. The keyword
    settings are the scenario's ``[analysis]`` table (``ANALYSIS_KEYS``)."""
    k = game.n_players
    min_length = int(math.ceil(cycle_min_tail * len(actions)))
    cyc = find_cycle(actions, cycle_min_repeats, min_length)
    row: dict = {"settled": cyc is not None}
    if cyc is None:
        row.update({"cycle_period": math.nan, "cycle_onset": math.nan})
        row.update({f"cycle_payoff_{i}": math.nan for i in range(k)})
        row.update({"pareto_optimal": False, "pareto_gap": math.nan, "pareto_profile_share": math.nan})
        if k >= 3:
            row.update({"coalition": "", "coalition_stable": math.nan, "blocking_groups": ""})
        return row
    v = cyc.mean_payoff(payoffs)
    gap = pareto_gap(game, v)
    row.update({"cycle_period": cyc.period, "cycle_onset": cyc.onset})
    row.update({f"cycle_payoff_{i}": float(v[i]) for i in range(k)})
    row.update({
        "pareto_optimal": bool(gap <= _pareto_tol(game)),
        "pareto_gap": gap,
        "pareto_profile_share": pareto_profile_share(game, cyc.profiles),
    })
    if k >= 3:
        rep = analyze_coalitions(game, cyc.profiles, outsiders=coalition_outsiders)
        row.update({
            "coalition": rep.label,
            "coalition_stable": rep.stable,
            "blocking_groups": ";".join(format_structure([b]) for b in rep.blocking),
        })
    return row


def _pareto_tol(game) -> float:
    from .pareto import tolerance

    return tolerance(game)


def tidy_matches(matches: pd.DataFrame) -> pd.DataFrame:
    """Integer analysis columns as nullable integers (no "2.0" in the CSV)."""
    out = matches.copy()
    for col in ("cycle_period", "cycle_onset"):
        if col in out:
            out[col] = out[col].astype("Int64")
    return out


def wilson(successes: int, n: int) -> dict:
    """A proportion with its 95% Wilson score interval."""
    if n == 0:
        return {"fraction": None, "ci_low": None, "ci_high": None, "count": 0, "n": 0}
    low, high = _wilson_interval(int(successes), int(n))
    return {"fraction": successes / n, "ci_low": low, "ci_high": high, "count": int(successes), "n": int(n)}


def _wilson_interval(k: int, n: int) -> tuple[float, float]:
    """scipy's ``binomtest(k, n).proportion_ci(0.95, method="wilson")``, the same operations on
    the same types (so the same bits), without the binomial test it would also run (tested)."""
    from scipy.special import ndtri

    p = k / n
    z = ndtri(0.5 + 0.5 * 0.95)
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    q = 1 - p
    delta = z / denom * np.sqrt(4 * n * p * q + z**2)
    low = 0.0 if k == 0 else center - delta
    high = 1.0 if k == n else center + delta
    return float(low), float(high)


def _entrant_columns(matches: pd.DataFrame) -> list[str]:
    return sorted((c for c in matches.columns if c.startswith("entrant_") and c[8:].isdigit()),
                  key=lambda c: int(c[8:]))


def _rates(df: pd.DataFrame, k: int) -> dict:
    return _rates_of(_RateColumns.of(df, k), np.ones(len(df), dtype=bool))


class _RateColumns:
    """The per-match flags the rates count, as arrays (computed once for all groupings)."""

    def __init__(self, settled: np.ndarray, pareto: np.ndarray, formed: np.ndarray | None):
        self.settled, self.pareto, self.formed = settled, pareto, formed

    @classmethod
    def of(cls, df: pd.DataFrame, k: int) -> "_RateColumns":
        settled = df["settled"].astype(bool).to_numpy()
        pareto = df["pareto_optimal"].astype(bool).to_numpy()
        formed = None
        if k >= 3 and "coalition" in df:
            labels = df["coalition"].fillna("").astype(str).tolist()
            formed = np.array([bool(lab) and any(len(b.split(",")) >= 2 for b in lab.split("|")) for lab in labels],
                              dtype=bool) & settled
        return cls(settled, pareto, formed)


def _rates_of(cols: _RateColumns, mask: np.ndarray) -> dict:
    settled, pareto = cols.settled[mask], cols.pareto[mask]
    n_settled = int(settled.sum())
    out = {
        "settled": wilson(n_settled, len(settled)),
        "pareto_optimal": wilson(int(pareto.sum()), len(settled)),
        "pareto_optimal_given_settled": wilson(int((pareto & settled).sum()), n_settled),
    }
    if cols.formed is not None:
        out["coalition_formed"] = wilson(int(cols.formed[mask].sum()), n_settled)
    return out


def summary_fields(game, matches: pd.DataFrame) -> dict:
    """Rates for ``summary.json``: ``rates`` (overall), ``rates_by_entrant``,
    ``rates_by_pairing``, ``cycles`` (period and onset statistics) and, for k >= 3,
    ``coalitions`` (structure counts among settled matches). Every rate carries its 95%
    Wilson interval."""
    if matches is None or len(matches) == 0 or "settled" not in matches:
        return {}
    k = game.n_players
    out: dict = {}
    if "status" in matches:  # forfeited matches are reported, not analysed
        failed = matches["status"] != "ok"
        out["failed_matches"] = int(failed.sum())
        matches = matches[~failed]
        if len(matches) == 0:
            return out
    cols = _RateColumns.of(matches, k)
    out["rates"] = _rates_of(cols, np.ones(len(matches), dtype=bool))
    ecols = _entrant_columns(matches)
    seated = matches[ecols].astype(str).to_numpy()
    names = sorted(set(seated.ravel().tolist()))
    out["rates_by_entrant"] = {name: _rates_of(cols, (seated == name).any(axis=1)) for name in names}
    symmetric = bool(game.is_symmetric)
    keys = np.array([" vs ".join(sorted(r) if symmetric else r) for r in seated.tolist()], dtype=object)
    out["rates_by_pairing"] = {key: _rates_of(cols, keys == key) for key in sorted(set(keys.tolist()))}
    settled = matches[matches["settled"].astype(bool)]
    if len(settled):
        periods = settled["cycle_period"].astype(int)
        onsets = settled["cycle_onset"].astype(int)
        out["cycles"] = {
            "period_counts": {str(p): int(c) for p, c in sorted(Counter(periods).items())},
            "onset_mean": float(onsets.mean()),
            "onset_median": float(onsets.median()),
            "onset_max": int(onsets.max()),
            "pareto_profile_share_mean": float(settled["pareto_profile_share"].mean()),
            "pareto_gap_mean": float(settled["pareto_gap"].mean()),
        }
    if k >= 3 and "coalition" in matches:
        labels = settled["coalition"].fillna("").astype(str)
        counts = Counter(labels)
        out["coalitions"] = {
            "structures": {lab: int(c) for lab, c in counts.most_common()},
            "structure_rates": {lab: wilson(int(c), len(settled)) for lab, c in counts.most_common()},
            "stable": wilson(int(settled["coalition_stable"].astype(bool).sum()), len(settled)),
            "partners": _partners(settled, ecols),
        }
    return out


def _partners(settled: pd.DataFrame, ecols: list[str]) -> dict:
    """How often each entrant was in a formed coalition with each other entrant."""
    pairs: Counter = Counter()
    for _, row in settled.iterrows():
        for block in str(row["coalition"]).split("|"):
            seats = [int(x) for x in block.strip("{}").split(",") if x]
            if len(seats) < 2:
                continue
            names = sorted(str(row[ecols[s]]) for s in seats)
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    pairs[f"{names[i]} + {names[j]}"] += 1
    return dict(pairs.most_common())


from .symmetric import symmetric_optimum  # noqa: E402,F401  (SPEC §6.4)
