"""Analyses of match logs and of results: stable cycles (:mod:`.cycles`), Pareto optimality
(:mod:`.pareto`), coalitions (:mod:`.coalitions`), symmetric optima (:mod:`.symmetric`), the
analysis columns and rates of match rows (:mod:`.matches`, settings in :mod:`.settings`),
independent observations and intervals (:mod:`.observations`, :mod:`.stats`), standings
(:mod:`.standings`), mechanisms (:mod:`.mechanism`), comparisons of populations
(:mod:`.comparison`) and the parity of wrapped Axelrod-library strategies
(:mod:`.axelrod_parity`).

The names below are imported on first use, so that e.g. ``tournament.analysis.settings``
loads neither pandas nor scipy.
"""

from ..plugins import lazy_exports

_EXPORTS = {
    "ANALYSIS_KEYS": ".settings",
    "DEFAULTS": ".settings",
    "settled_rule": ".settings",
    "CoalitionReport": ".coalitions",
    "analyze_coalitions": ".coalitions",
    "coalition_structure": ".coalitions",
    "format_structure": ".coalitions",
    "pure_coalition_structure": ".coalitions",
    "Cycle": ".cycles",
    "find_cycle": ".cycles",
    "finished": ".observations",
    "log_digest": ".observations",
    "mark": ".observations",
    "rate": ".observations",
    "wilson": ".observations",
    "is_feasible": ".pareto",
    "is_pareto_optimal": ".pareto",
    "pareto_frontier_2d": ".pareto",
    "pareto_frontier_segments": ".pareto",
    "pareto_gap": ".pareto",
    "pareto_profile_share": ".pareto",
    "sample_frontier": ".pareto",
    "applicable": ".matches",
    "flag": ".matches",
    "match_columns": ".matches",
    "summary_fields": ".matches",
    "tidy_matches": ".matches",
    "symmetric_optimum": ".symmetric",
    "cross_table": ".standings",
    "comparison_table": ".comparison",
    "overlaps": ".comparison",
    "mean_ci": ".stats",
    "percentile_ci": ".stats",
    "proportion_ci": ".stats",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
