"""Independent observations in a table of matches, and the intervals built on them.

A tournament plays every *seating* (entrant per seat) ``repetitions`` times. Matches are
independent of each other (each has its own seed), but an entrant's seats are not: in
self-play it sits in two seats of one match, and a deterministic seating played ten times
gives ten byte-identical action logs — one observation, not ten. Every interval in
``summary.json`` and the report is therefore computed here, on observations:

- A seating is **deterministic** when the engine knows it is (``deterministic`` column:
  strategies that declare themselves deterministic, no noise, a fixed length) or, in a run
  where the engine adds no randomness (no noise, fixed length), when its finished
  repetitions (at least two) all have the same ``log_digest`` (a digest of the action log,
  see :func:`log_digest`): a strategy that does not declare itself deterministic but plays
  the same way every time. Its repetitions collapse to one observation, and it contributes
  no sampling error (playing it again gives the same result). With noise, short matches
  often repeat a log by chance, so there identical logs alone prove nothing.
- **Standings** (:func:`mean_interval`): an entrant's mean payoff per round is the mean over
  all its match-seats, ``sum(y_m) / sum(c_m)`` where match m gives it ``c_m`` seats with
  payoff sum ``y_m`` — the match, not the seat, is the unit (clustered by match). Its
  variance is estimated by seating (stratum): ``sum_s R_s var(y | s) / C^2`` from the
  repetitions of each seating with at least two; deterministic seatings add nothing;
  seatings played once are pooled into one stratum (the collapsed-strata estimator, which
  is conservative: it counts the spread between those opponents as noise). The interval is
  Student-t with Satterthwaite's degrees of freedom. It answers "how far could this mean
  move if the tournament were played again with another seed" — for this field of
  entrants, not for other opponents.
- **Rates** (:func:`rate`): the fraction of matches with a property (settled, Pareto-optimal,
  ...). Deterministic seatings contribute their (exact) outcome; the other matches are
  treated as independent trials with a 95% Wilson interval, which is mapped back onto the
  whole fraction. With no random part at all the rate is exact.

``n`` in both is the number of observations: deterministic seatings once, every other
match once.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd

from .stats import proportion_ci

#: confidence level of every interval
LEVEL = 0.95


def log_digest(actions: np.ndarray) -> str:
    """A 64-bit BLAKE2b digest (hex) of an action log: equal digests mean identical play."""
    a = np.asarray(actions)
    h = hashlib.blake2b(digest_size=8)
    h.update(np.asarray(a.shape, dtype=np.int64).tobytes())
    # as int64 whatever the storage dtype (digests stay comparable), a block at a time so
    # that a long match never holds a second, wider copy of its log
    step = 1 << 16
    for start in range(0, len(a), step):
        h.update(np.ascontiguousarray(a[start : start + step], dtype=np.int64).tobytes())
    return h.hexdigest()


def entrant_columns(matches: pd.DataFrame) -> list[str]:
    return sorted(
        (c for c in matches.columns if c.startswith("entrant_") and c[8:].isdigit()), key=lambda c: int(c[8:])
    )


def finished(matches: pd.DataFrame) -> pd.DataFrame:
    """The matches that were played to the end (``status`` ok, where the column exists)."""
    if "status" in matches:
        return matches[matches["status"].fillna("ok") == "ok"]
    return matches


def seatings(matches: pd.DataFrame) -> pd.Series:
    """The seating of every match: the entrants in seat order, as one string."""
    ecols = entrant_columns(matches)
    if not ecols:
        return pd.Series("", index=matches.index)
    key = matches[ecols[0]].astype(str)
    for c in ecols[1:]:
        key = key + "\x1f" + matches[c].astype(str)
    return key


def mark(matches: pd.DataFrame, detect_identical: bool = True) -> pd.DataFrame:
    """``matches`` with ``seating``, ``deterministic`` (see the module docstring;
    ``detect_identical`` is False for runs with noise or random match lengths) and
    ``representative`` (True for one match per deterministic seating and for every other
    match: the observations)."""
    out = matches.copy()
    out["seating"] = seatings(out)
    # known to the engine (deterministic strategies, no noise, fixed length) ...
    known = out["deterministic"].fillna(False).astype(bool) if "deterministic" in out else False
    if "log_digest" in out and len(out):
        # ... or seen: every repetition of the seating played the same log (and a claim of
        # determinism that the logs contradict is not believed)
        g = out.groupby("seating", sort=False)["log_digest"]
        size = g.transform("size")
        distinct = g.transform("nunique")
        seen = ((size >= 2) & (distinct == 1)).to_numpy() & detect_identical
        known = known & (distinct <= 1).to_numpy()
    else:
        seen = False
    out["deterministic"] = np.asarray(known | seen, dtype=bool) if len(out) else np.zeros(0, dtype=bool)
    first = ~out.duplicated("seating")
    out["representative"] = (~out["deterministic"]) | first
    return out


def _t(df: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, df)) if math.isfinite(df) else float(stats.norm.ppf(0.5 + LEVEL / 2))


def mean_interval(y: np.ndarray, c: np.ndarray, strata: np.ndarray, deterministic: np.ndarray) -> dict:
    """Mean per seat ``sum(y) / sum(c)`` over matches (one entry per match) and its interval.

    ``strata`` labels each match's seating; ``deterministic`` marks matches of deterministic
    seatings. Returns ``mean``, ``ci_low``, ``ci_high``, ``n`` (observations), ``seats``
    (``sum(c)``), ``deterministic`` (no random part at all) and ``df``. See the module
    docstring for the method.
    """
    y = np.asarray(y, dtype=float)
    c = np.asarray(c, dtype=float)
    strata = np.asarray(strata)
    det = np.asarray(deterministic, dtype=bool)
    total = float(c.sum())
    nan = math.nan
    if total == 0:
        return {"mean": nan, "ci_low": nan, "ci_high": nan, "n": 0, "seats": 0, "deterministic": False, "df": nan}
    mean = float(y.sum() / total)
    n_obs = int(len(set(strata[det].tolist())) + int((~det).sum()))
    parts: list[tuple[float, float]] = []  # (variance contribution * C^2, degrees of freedom)
    pooled_y, pooled_c = [], []
    rnd = ~det
    if rnd.any():
        # strata in order of first appearance, each one's matches in table order
        codes, _ = pd.factorize(strata[rnd])
        order = np.argsort(codes, kind="stable")
        bounds = np.flatnonzero(np.diff(codes[order])) + 1
        y_r, c_r = y[rnd], c[rnd]
        for rows in np.split(order, bounds):
            if len(rows) >= 2:
                parts.append((len(rows) * float(np.var(y_r[rows], ddof=1)), len(rows) - 1.0))
            else:
                pooled_y.append(float(y_r[rows[0]]))
                pooled_c.append(float(c_r[rows[0]]))
    unknown = False
    if len(pooled_y) >= 2:
        py, pc = np.array(pooled_y), np.array(pooled_c)
        r = float(py.sum()) / float(pc.sum())
        p = len(py)
        parts.append((p / (p - 1) * float(((py - r * pc) ** 2).sum()), p - 1.0))
    elif len(pooled_y) == 1:
        unknown = True  # one match of a random seating: its spread cannot be estimated
    all_det = not rnd.any()
    if unknown:
        lo = hi = df = nan
    else:
        var = sum(v for v, _ in parts) / total**2
        if var > 0:
            denom = sum((v / total**2) ** 2 / d for v, d in parts if v > 0)
            df = var**2 / denom if denom > 0 else math.inf
            half = _t(df) * math.sqrt(var)
            lo, hi = mean - half, mean + half
        else:
            lo = hi = mean
            df = math.inf if all_det else float(sum(d for _, d in parts))
    return {
        "mean": mean,
        "ci_low": lo,
        "ci_high": hi,
        "n": n_obs,
        "seats": int(round(total)),
        "deterministic": bool(all_det),
        "df": df,
    }


def wilson(successes: int, n: int) -> dict:
    """A proportion with its 95% Wilson score interval."""
    if n == 0:
        return {"fraction": None, "ci_low": None, "ci_high": None, "count": 0, "n": 0}
    _, lo, hi = proportion_ci(int(successes), int(n), LEVEL)
    return {"fraction": successes / n, "ci_low": lo, "ci_high": hi, "count": int(successes), "n": int(n)}


def rate(flags: pd.Series, marked: pd.DataFrame) -> dict:
    """The fraction of ``flags`` (one bool per match, indexed like ``marked``) that are True,
    with its interval: exact over deterministic seatings, Wilson over the other matches.

    Keys: ``fraction``, ``ci_low``, ``ci_high``, ``count`` and ``n`` (matches),
    ``observations``, ``deterministic`` (every match deterministic: the rate is exact)."""
    rows = marked.index.get_indexer(flags.index)
    det = marked["deterministic"].to_numpy(dtype=bool)[rows]
    return rate_at(flags.to_numpy(dtype=bool), det, marked["seating"].to_numpy()[rows])


def rate_at(x: np.ndarray, det: np.ndarray, seating: np.ndarray) -> dict:
    """:func:`rate` on arrays of the same matches: the flags ``x``, whether each match's seating
    is deterministic (``det``) and the seatings (any labels or codes). The summary calls it
    once per entrant and pairing on slices of arrays built once."""
    x = np.asarray(x, dtype=bool)
    n = len(x)
    if n == 0:
        return {
            "fraction": None,
            "ci_low": None,
            "ci_high": None,
            "count": 0,
            "n": 0,
            "observations": 0,
            "deterministic": False,
        }
    count = int(x.sum())
    fixed = float(x[det].sum())
    s_n = int((~det).sum())
    s_k = int(x[~det].sum())
    if s_n:
        _, w_lo, w_hi = proportion_ci(s_k, s_n, LEVEL)
        lo, hi = (fixed + s_n * w_lo) / n, (fixed + s_n * w_hi) / n
    else:
        lo = hi = count / n
    seatings = len(set(np.asarray(seating)[det].tolist())) if det.any() else 0
    return {
        "fraction": count / n,
        "ci_low": float(lo),
        "ci_high": float(hi),
        "count": count,
        "n": n,
        "observations": int(seatings + s_n),
        "deterministic": s_n == 0,
    }
