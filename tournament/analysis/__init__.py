"""Analyses of match logs (SPEC §6): stable cycles, Pareto optimality, coalitions."""

from __future__ import annotations

import numpy as np


def match_columns(game, actions: np.ndarray, payoffs: np.ndarray) -> dict:
    """Analysis columns of one match's ``matches.csv`` row (filled in by the analyses)."""
    return {}


def summary_fields(game, matches) -> dict:
    """Analysis rates for ``summary.json`` (filled in by the analyses)."""
    return {}

from .symmetric import symmetric_optimum  # noqa: E402,F401  (SPEC §6.4)
