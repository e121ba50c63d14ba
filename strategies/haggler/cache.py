"""Per-(seat's game, configuration) precomputation, cached for the whole process.

A tournament plays many matches with the same entrants in the same seats; building and
solving a hypothesis space of 10⁵–10⁶ hypotheses takes seconds, so it is done once per
process and shared read-only between haggler instances (each instance keeps only its own
tracking state). The key holds everything the result depends on: the seat's own payoffs,
action and observation labels, the space spec (classes, N, M, m, pruning, custom tables),
γ, and — for the prior — class weights, password mass and the weight function.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .config import Resolved
from .hypotheses import SeatGame
from .priors import prior_weights
from .space import KIND_CODE, HypothesisSpace, build_space
from .value_iteration import Solution, solve, worth_more_than_top

MAX_ENTRIES = 6
"""Solved spaces kept (least recently used dropped first)."""

_SOLVED: OrderedDict[tuple, Solved] = OrderedDict()
_PRIORS: OrderedDict[tuple, Prepared] = OrderedDict()


@dataclass
class Solved:
    """A solved, pruned space: values V_γ, policy π and the equally good actions per row
    (read-only arrays)."""

    space: HypothesisSpace
    values: np.ndarray  # (R,)
    policy: np.ndarray  # (R,) int8: the lowest equally good action
    top_value: float
    info: dict
    ties: np.ndarray  # (R, A) bool: the equally good actions


@dataclass
class Prepared:
    """Everything a haggler instance shares with others of the same configuration."""

    solved: Solved
    zeta: np.ndarray  # (H,) prior, sums to 1
    cum_zeta: np.ndarray  # (H,) cumulative, for sampling

    @property
    def space(self) -> HypothesisSpace:
        return self.solved.space


def solved_space(sg: SeatGame, res: Resolved) -> Solved:
    key = (sg.key(), res.space_key())
    hit = _SOLVED.get(key)
    if hit is not None:
        _SOLVED.move_to_end(key)
        return hit
    started = time.perf_counter()
    space = build_space(sg, res.space)
    built = time.perf_counter()
    sol: Solution = solve(space.next_rows, sg.reward, res.gamma, tie_tol=sg.tolerance, initial_policy=space.hint)
    space.hint = None
    solved_at = time.perf_counter()
    values, policy, ties = sol.values, sol.policy, sol.ties
    top_value = sg.maximin
    n_before = space.n_hypotheses
    if res.space.prune:
        keep = worth_more_than_top(space, values, top_value, sg.tolerance)
        if not keep.all():
            space, row_keep = space.subset(keep)
            values, policy, ties = values[row_keep], policy[row_keep], ties[row_keep]
    space.freeze()
    for arr in (values, policy, ties):
        arr.setflags(write=False)
    info = {
        "hypotheses_generated": n_before,
        "hypotheses": space.n_hypotheses,
        "rows": space.n_rows,
        "by_kind": {k: int(np.sum(space.kind == c)) for k, c in KIND_CODE.items()},
        "max_password": res.space.max_password,
        "max_loop": res.space.max_loop,
        "max_automaton": res.space.max_automaton,
        "gamma": res.gamma,
        "solver_iterations": sol.iterations,
        "bellman_residual": sol.residual,
        "seconds_build": built - started,
        "seconds_solve": solved_at - built,
        "bytes": space.nbytes + values.nbytes + policy.nbytes + ties.nbytes,
    }
    out = Solved(space, values, policy, top_value, info, ties)
    _SOLVED[key] = out
    while len(_SOLVED) > MAX_ENTRIES:
        _SOLVED.popitem(last=False)
    return out


def prepared(sg: SeatGame, res: Resolved, weight_key) -> Prepared:
    """The solved space of this seat and configuration with its prior (cached)."""
    solved = solved_space(sg, res)
    key = (sg.key(), res.space_key(), tuple(sorted(res.class_weights.items())), res.password_mass, weight_key)
    hit = _PRIORS.get(key)
    if hit is not None and hit.solved is solved:
        _PRIORS.move_to_end(key)
        return hit
    space = solved.space
    extra = {"value": solved.values[space.start_rows], "max_value": space.hypothesis_max(solved.values)}
    zeta = prior_weights(
        space, class_weights=res.class_weights, password_mass=res.password_mass, weight=res.weight, catalog_extra=extra
    )
    if (zeta[1:] <= 0).any():  # weight 0: never sampled, so not part of the space at all
        keep = zeta > 0
        keep[0] = True
        sub, row_keep = space.subset(keep)
        sub.freeze()
        values, policy, ties = solved.values[row_keep], solved.policy[row_keep], solved.ties[row_keep]
        for arr in (values, policy, ties):
            arr.setflags(write=False)
        info = dict(
            solved.info,
            hypotheses=sub.n_hypotheses,
            rows=sub.n_rows,
            by_kind={k: int(np.sum(sub.kind == c)) for k, c in KIND_CODE.items()},
        )
        solved = Solved(sub, values, policy, solved.top_value, info, ties)
        zeta = zeta[keep] / zeta[keep].sum()
    zeta.setflags(write=False)
    cum = np.cumsum(zeta)
    cum.setflags(write=False)
    out = Prepared(solved, zeta, cum)
    _PRIORS[key] = out
    while len(_PRIORS) > MAX_ENTRIES:
        _PRIORS.popitem(last=False)
    return out


def clear() -> None:
    """Forget every cached space (tests, benchmarks)."""
    _SOLVED.clear()
    _PRIORS.clear()
