"""Exact theory of strategies, to check simulations against.

- :mod:`.softmax`: the profile chain of seed 000's softmax switchers (transition matrix,
  stationary distribution, the softmax closed form, hitting times, the bound on α).
- :mod:`.regret`: external and internal (conditional) regret of a play sequence, the
  quantities no-regret learners drive to zero.
"""

from .regret import external_regret, internal_regret
from .softmax import (
    alpha_for_suboptimality,
    distribution_path,
    exact_alpha_for_suboptimality,
    expected_occupation,
    expected_utility,
    hitting_time,
    hitting_time_cdf,
    occupation,
    occupation_std,
    optimal_profiles,
    relaxation_time,
    softmax_distribution,
    stationary_distribution,
    suboptimality_bound,
    switch_probabilities,
    target_probabilities,
    transition_matrix,
)

__all__ = [
    "alpha_for_suboptimality", "distribution_path", "exact_alpha_for_suboptimality", "expected_occupation", "expected_utility",
    "external_regret", "hitting_time", "hitting_time_cdf", "internal_regret", "occupation", "occupation_std",
    "optimal_profiles", "relaxation_time", "softmax_distribution", "stationary_distribution",
    "suboptimality_bound", "switch_probabilities", "target_probabilities", "transition_matrix",
]
