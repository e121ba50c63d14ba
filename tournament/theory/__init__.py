"""Exact theory of strategies and populations, to check simulations against (pure maths: no
Mesa, no results).

- :mod:`.softmax`: the profile chain of seed 000's softmax switchers (transition matrix,
  stationary distribution, the softmax closed form, hitting times, the bound on α).
- :mod:`.regret`: external and internal (conditional) regret of a play sequence, the
  quantities no-regret learners drive to zero.
- :mod:`.multisets`: symmetric games in multiset form (the focal payoff table, multinomial and
  hypergeometric co-players).
- :mod:`.dynamics`: replicator and discrete-replicator steps on a focal table.
- :mod:`.moran`: fitness maps and the exact fixation probability of the Moran process.

The names below are imported on first use (``strategies.learning`` needs :mod:`.regret`
without scipy).
"""

from ..plugins import lazy_exports

_EXPORTS = {
    "alpha_for_suboptimality": ".softmax",
    "distribution_path": ".softmax",
    "exact_alpha_for_suboptimality": ".softmax",
    "expected_occupation": ".softmax",
    "expected_utility": ".softmax",
    "hitting_time": ".softmax",
    "hitting_time_cdf": ".softmax",
    "occupation": ".softmax",
    "occupation_std": ".softmax",
    "optimal_profiles": ".softmax",
    "relaxation_time": ".softmax",
    "softmax_distribution": ".softmax",
    "stationary_distribution": ".softmax",
    "suboptimality_bound": ".softmax",
    "switch_probabilities": ".softmax",
    "target_probabilities": ".softmax",
    "transition_matrix": ".softmax",
    "external_regret": ".regret",
    "internal_regret": ".regret",
    "FocalPayoffs": ".multisets",
    "replicator": ".dynamics",
    "fitness_from_payoffs": ".moran",
    "fixation_probability": ".moran",
    "softmax": ".softmax",
    "regret": ".regret",
    "multisets": ".multisets",
    "dynamics": ".dynamics",
    "moran": ".moran",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
