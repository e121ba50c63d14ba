"""Confidence intervals used by the population kinds and the comparison (95% by default)."""

from __future__ import annotations

import math

import numpy as np


def _wilson(successes: int, n: int, confidence: float) -> tuple[float, float]:
    # scipy's ``binomtest(k, n).proportion_ci(method="wilson")`` by the same operations on the
    # same types (same bits: tests/test_headlines.py), without the binomial test it also runs
    # (about a millisecond per call; a summary asks for thousands)
    from scipy.special import ndtri  # imported on use: scipy is slow to import

    p = successes / n
    z = ndtri(0.5 + 0.5 * confidence)
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * np.sqrt(4 * n * p * (1 - p) + z**2)
    low = 0.0 if successes == 0 else center - delta
    high = 1.0 if successes == n else center + delta
    return float(low), float(high)


def proportion_ci(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """(estimate, low, high): Wilson score interval of a binomial proportion, as scipy's
    ``binomtest(k, n).proportion_ci(method="wilson")`` gives it (the one proportion interval of
    the framework: the rates, the standings' fractions, fixation probabilities). Each (k, n) is
    computed in closed form."""
    if n <= 0:
        return math.nan, math.nan, math.nan
    low, high = _wilson(int(successes), int(n), float(confidence))
    return successes / n, low, high


def mean_ci(
    values, confidence: float = 0.95, bounds: tuple[float, float] | None = None
) -> tuple[float, float, float, int]:
    """(mean, low, high, n): Student-t interval of a mean, clipped to ``bounds`` (e.g. (0, 1) for
    shares); NaN bounds with fewer than 2 values, a zero-width interval when all values are equal."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan, n
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        return m, m, m, n
    from scipy import stats

    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    lo, hi = m - half, m + half
    if bounds is not None:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return m, lo, hi, n


def percentile_ci(samples, confidence: float = 0.95, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of ``samples`` along ``axis``."""
    lo = (1 - confidence) / 2 * 100
    return np.percentile(samples, lo, axis=axis), np.percentile(samples, 100 - lo, axis=axis)
