"""The analysis of match rows: ``match_columns`` gives the analysis columns of one
``matches.csv`` row (run in the worker that played the match); ``summary_fields`` the rates in
``summary.json``, computed on independent observations (identical repetitions count once; see :mod:`.observations`).

**Settled.** A match is settled when, from some round on, its joint play repeats one cycle to
the end: at least ``cycle_min_repeats`` (3) periods *and* at least ``cycle_min_tail`` (by
default a quarter) of the match's rounds. The share matters for noisy and stochastic play:
with 5% noise per action, three equal rounds end 38 of the 66 kept 200-round matches of
``scenarios/classics_noisy_pd.toml`` by chance, a quarter of the match none; softmax
switchers in the 2,000-round prisoner's dilemma "settle" in 58% of the matches with a median
onset of round 1,993 under the bare rule and in none under this one, while those frozen at
(Low, Low) in the high/low game for the last quarter of the match really are stuck. Genuine
convergence in the bundled scenarios starts within the first two thirds of the match (the
deterministic hagglers' latest onset: round 5,192 of 8,000). A match too short for
``cycle_min_repeats`` periods (e.g. the one-round matches of a replicator scenario) has no
``settled`` value, and rates that apply to no match are left out rather than shown as 0%.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from .coalitions import analyze_coalitions, format_structure
from .cycles import find_cycle
from .observations import log_digest, mark, rate, rate_at
from .pareto import pareto_gap, pareto_profile_share, tolerance
from .settings import DEFAULTS, settled_rule


def match_columns(
    game,
    actions: np.ndarray,
    payoffs: np.ndarray,
    *,
    cycle_min_repeats: int = 3,
    cycle_min_tail: float = DEFAULTS["cycle_min_tail"],
    coalition_outsiders: str = "correlated",
) -> dict:
    """Analysis columns of one match: ``settled``, ``cycle_period``, ``cycle_onset``,
    ``cycle_payoff_i``, ``pareto_optimal``, ``pareto_gap``, ``pareto_profile_share``, for
    k >= 3 ``coalition``, ``coalition_stable``, ``blocking_groups``, and ``log_digest`` (equal
    for identical action logs). ``settled`` and ``pareto_optimal`` are None (empty in the CSV)
    when the match is shorter than ``cycle_min_repeats`` rounds. The keyword settings are the
    scenario's ``[analysis]`` table (``ANALYSIS_KEYS``)."""
    k = game.n_players
    applicable = len(actions) >= cycle_min_repeats
    min_length = int(math.ceil(cycle_min_tail * len(actions)))
    cyc = find_cycle(actions, cycle_min_repeats, min_length) if applicable else None
    row: dict = {"settled": cyc is not None if applicable else None}
    if cyc is None:
        row.update({"cycle_period": math.nan, "cycle_onset": math.nan})
        row.update({f"cycle_payoff_{i}": math.nan for i in range(k)})
        row.update(
            {"pareto_optimal": False if applicable else None, "pareto_gap": math.nan, "pareto_profile_share": math.nan}
        )
        if k >= 3:
            row.update({"coalition": "", "coalition_stable": math.nan, "blocking_groups": ""})
        row["log_digest"] = log_digest(actions)
        return row
    v = cyc.mean_payoff(payoffs)
    gap = pareto_gap(game, v)
    row.update({"cycle_period": cyc.period, "cycle_onset": cyc.onset})
    row.update({f"cycle_payoff_{i}": float(v[i]) for i in range(k)})
    row.update(
        {
            "pareto_optimal": bool(gap <= tolerance(game)),
            "pareto_gap": gap,
            "pareto_profile_share": pareto_profile_share(game, cyc.profiles),
        }
    )
    if k >= 3:
        rep = analyze_coalitions(game, cyc.profiles, outsiders=coalition_outsiders)
        row.update(
            {
                "coalition": rep.label,
                "coalition_stable": rep.stable,
                "blocking_groups": ";".join(format_structure([b]) for b in rep.blocking),
            }
        )
    row["log_digest"] = log_digest(actions)
    return row


def tidy_matches(matches: pd.DataFrame) -> pd.DataFrame:
    """Integer analysis columns as nullable integers (no "2.0" in the CSV) and the flags as
    nullable booleans (empty where they do not apply)."""
    out = matches.copy()
    for col in ("cycle_period", "cycle_onset"):
        if col in out:
            out[col] = out[col].astype("Int64")
    for col in ("settled", "pareto_optimal"):
        if col in out and out[col].isna().any():
            out[col] = out[col].astype("boolean")
    return out


def flag(series: pd.Series) -> pd.Series:
    """A True/False/empty column (as read back from ``matches.csv``) as plain booleans, empty
    counting as False."""
    s = series.map(
        lambda v: (
            v
            if isinstance(v, (bool, np.bool_))
            else (str(v).strip().lower() == "true" if isinstance(v, str) else False)
        )
    )
    return s.astype(bool)


def applicable(matches: pd.DataFrame) -> pd.Series:
    """Which matches have a ``settled`` value (long enough for a cycle to show)."""
    return matches["settled"].notna() if "settled" in matches else pd.Series(False, index=matches.index)


def _entrant_columns(matches: pd.DataFrame) -> list[str]:
    return sorted(
        (c for c in matches.columns if c.startswith("entrant_") and c[8:].isdigit()), key=lambda c: int(c[8:])
    )


def _formed(label) -> bool:
    return any(len(b.split(",")) >= 2 for b in str(label).split("|")) if label else False


class _Rates:
    """The rates of any subset of the analysed matches, from arrays built once (a summary asks
    for them overall, per entrant and per pairing: no DataFrame filtering per group)."""

    def __init__(self, matches: pd.DataFrame, marked: pd.DataFrame, k: int):
        rows = marked.index.get_indexer(matches.index)
        self.det = marked["deterministic"].to_numpy(dtype=bool)[rows]
        self.seating = pd.factorize(marked["seating"])[0][rows]
        self.settled = flag(matches["settled"]).to_numpy()
        self.pareto = flag(matches["pareto_optimal"]).to_numpy()
        self.formed = None
        if k >= 3 and "coalition" in matches:
            labels = matches["coalition"].fillna("").astype(str)
            self.formed = labels.map(_formed).to_numpy(dtype=bool)

    def of(self, idx: np.ndarray) -> dict:
        det, seating, s, p = self.det[idx], self.seating[idx], self.settled[idx], self.pareto[idx]
        out = {
            "settled": rate_at(s, det, seating),
            "pareto_optimal": rate_at(p, det, seating),
            "pareto_optimal_given_settled": rate_at(p[s], det[s], seating[s]),
        }
        if self.formed is not None:
            out["coalition_formed"] = rate_at(self.formed[idx][s], det[s], seating[s])
        return out


def summary_fields(
    game, matches: pd.DataFrame, analysis_settings: dict | None = None, detect_identical: bool = True
) -> dict:
    """Rates for ``summary.json``: ``settled_rule`` (what settled means here), ``rates``
    (overall), ``rates_by_entrant``, ``rates_by_pairing``, ``cycles`` (period and onset
    statistics) and, for k >= 3, ``coalitions`` (structure counts among settled matches).
    Forfeited matches are counted in ``failed_matches`` (with the first errors) and left out.
    Every rate carries its 95% interval computed on independent observations (identical
    repetitions count once; see :func:`.observations.rate`; ``detect_identical`` is False for
    runs with noise or random lengths, see :func:`.observations.mark`). Rates are left out
    when no match is long enough to settle."""
    if matches is None or len(matches) == 0 or "settled" not in matches:
        return {}
    k = game.n_players
    out: dict = {}
    if "status" in matches:  # forfeited matches are reported, not analysed
        failed = matches["status"].fillna("ok") != "ok"
        out["failed_matches"] = int(failed.sum())
        if failed.any():
            errors = matches.loc[failed, "error"].fillna("").astype(str)
            out["first_errors"] = errors.drop_duplicates().head(3).tolist()
        matches = matches[~failed]
        if len(matches) == 0:
            return out
    matches = matches[applicable(matches)]
    if len(matches) == 0:
        return out
    marked = mark(matches, detect_identical)
    out["settled_rule"] = settled_rule(analysis_settings)
    rates = _Rates(matches, marked, k)
    out["rates"] = rates.of(np.arange(len(matches)))
    ecols = _entrant_columns(matches)
    seated = matches[ecols].astype(str).to_numpy()
    out["rates_by_entrant"] = {
        name: rates.of(np.flatnonzero((seated == name).any(axis=1))) for name in sorted(set(seated.ravel().tolist()))
    }
    symmetric = bool(game.is_symmetric)
    by_pairing: dict[str, list[int]] = {}
    for i, row in enumerate(seated.tolist()):
        by_pairing.setdefault(" vs ".join(sorted(row) if symmetric else row), []).append(i)
    out["rates_by_pairing"] = {key: rates.of(np.asarray(by_pairing[key])) for key in sorted(by_pairing)}
    is_settled = flag(matches["settled"])
    settled = matches[is_settled]
    if len(settled):
        periods = settled["cycle_period"].astype(int)
        onsets = settled["cycle_onset"].astype(int)
        turns = settled["turns"].astype(float) if "turns" in settled else None
        out["cycles"] = {
            "period_counts": {str(p): int(c) for p, c in sorted(Counter(periods).items())},
            "onset_mean": float(onsets.mean()),
            "onset_median": float(onsets.median()),
            "onset_max": int(onsets.max()),
            "pareto_profile_share_mean": float(settled["pareto_profile_share"].mean()),
            "pareto_gap_mean": float(settled["pareto_gap"].mean()),
        }
        if turns is not None:
            out["cycles"]["onset_share_median"] = float((onsets / turns).median())
    if k >= 3 and "coalition" in matches:
        labels = settled["coalition"].fillna("").astype(str)
        counts = Counter(labels)
        out["coalitions"] = {
            "structures": {lab: int(c) for lab, c in counts.most_common()},
            "structure_rates": {lab: rate(labels == lab, marked) for lab, c in counts.most_common()},
            "stable": rate(flag(settled["coalition_stable"].fillna(False)), marked),
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
