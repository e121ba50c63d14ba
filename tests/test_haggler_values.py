"""Robust values V_γ and policies: ⊤'s maximin, password closed forms, the two solvers agree."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tournament
from strategies.haggler import hypotheses as hy
from strategies.haggler.space import SpaceSpec, build_space
from strategies.haggler.value_iteration import q_values, robust_value_iteration, solve

PD = tournament.games.get("prisoners_dilemma")  # R=2, S=0, T=3, P=1
C, D = 0, 1


def _solve_one(h: hy.Hypothesis, sg: hy.SeatGame, gamma: float):
    t = h.table().reshape(h.n_states, -1).T.astype(np.int32)  # (A*O, S) rows = states
    return solve(t, sg.reward, gamma, tie_tol=sg.tolerance)


@pytest.mark.parametrize(
    "game, params",
    [
        ("prisoners_dilemma", {}),
        ("schelling_pub", {}),
        ("stag_hunt", {"players": 3}),
        ("demand_3p", {}),
        ("chicken", {}),
        ("random_game", {"N": 3, "A": 3, "seed": 4}),
    ],
)
def test_value_of_top_is_the_pure_maximin(game, params):
    g = tournament.games.get(game, **params)
    for seat in range(g.n_players):
        sg = hy.SeatGame.of(g, seat)
        sol = _solve_one(hy.top(sg), sg, 0.95)
        own = np.moveaxis(g.payoffs[..., seat], seat, 0).reshape(g.n_actions[seat], -1)
        assert sol.values[0] == pytest.approx(own.min(axis=1).max(), abs=1e-12)
        assert sol.policy[0] == int(np.argmax(own.min(axis=1)))  # ties -> lowest action


def closed_form(sg, p, loop, gamma):
    """Worst-case rewards along the password, then the discounted loop value."""
    n, m = len(p), len(loop)
    pw = sum((1 - gamma) * gamma**k * sg.reward[a].min() for k, a in enumerate(p))
    cycle = sum((1 - gamma) * gamma**j * sg.reward[a, o] for j, (a, o) in enumerate(loop))
    return pw + gamma**n * cycle / (1 - gamma**m)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_password_value_matches_the_closed_form(gamma):
    sg = hy.SeatGame.of(PD, 0)
    # "password DDC then loop (C,C)" at γ = 0.9: 0.1·(1 + 0.9·1 + 0.81·0) + 0.729·2
    if gamma == 0.9:
        h = hy.password(sg, (D, D, C), ((C, C),))
        assert _solve_one(h, sg, gamma).values[0] == pytest.approx(0.1 * 1.9 + 0.729 * 2, abs=1e-12)
    # a loop of a single pair worth more than ⊤: following is optimal whenever it beats ⊤
    for loop in (((C, C),), ((D, C),)):
        for n in range(4):
            for p in itertools.product((C, D), repeat=n):
                h = hy.password(sg, p, loop)
                v = _solve_one(h, sg, gamma).values
                assert v[0] == pytest.approx(max(closed_form(sg, p, loop, gamma), sg.maximin), abs=1e-12)
                # in the loop the value is the loop's own
                assert v[n] == pytest.approx(max(closed_form(sg, (), loop, gamma), sg.maximin), abs=1e-12)
    # a two-pair loop where following is optimal: DC then (C,C)(D,C)
    h = hy.password(sg, (D, C), ((C, C), (D, C)))
    sol = _solve_one(h, sg, gamma)
    cf = closed_form(sg, (D, C), ((C, C), (D, C)), gamma)
    if cf > sg.maximin:
        assert sol.values[0] == pytest.approx(cf, abs=1e-12)
        assert list(sol.policy) == [D, C, C, D]  # the password, then the loop's actions


def test_automaton_values():
    sg = hy.SeatGame.of(PD, 0)
    g = 0.99
    tft = _solve_one(hy.automaton(sg, (C, D), ((0, 1), (0, 1))), sg, g)
    assert tft.values[0] == pytest.approx(2.0, abs=1e-12) and tft.policy[0] == C
    # after a defection TFT retaliates once: cooperate now (0), then 2 forever
    assert tft.values[1] == pytest.approx(g * 2.0, abs=1e-12)
    grim = _solve_one(hy.automaton(sg, (C, D), ((0, 1), (1, 1))), sg, g)
    assert grim.values[0] == pytest.approx(2.0, abs=1e-12) and grim.values[1] == pytest.approx(1.0, abs=1e-12)
    alt = _solve_one(hy.automaton(sg, (C, D), ((1, 1), (0, 0))), sg, g)
    assert alt.values[0] == pytest.approx((3 + g) / (1 + g), abs=1e-12)  # defect forever: 3, 1, 3, 1, ...
    assert list(alt.policy) == [D, D]


@pytest.mark.parametrize(
    "game, params, spec",
    [
        ("prisoners_dilemma", {}, SpaceSpec(max_password=3, max_loop=3, prune=False)),
        ("schelling_pub", {}, SpaceSpec(max_password=2, max_loop=2)),
        ("demand_3p", {}, SpaceSpec(max_password=1, max_loop=1, max_automaton=2)),
    ],
)
def test_strategy_iteration_agrees_with_robust_value_iteration(game, params, spec):
    g = tournament.games.get(game, **params)
    sg = hy.SeatGame.of(g, g.n_players - 1)
    space = build_space(sg, spec)
    for gamma in (0.8, 0.97):
        fast = solve(space.next_rows, sg.reward, gamma, tie_tol=sg.tolerance, initial_policy=space.hint)
        ref = robust_value_iteration(space.next_rows, sg.reward, gamma, tol=1e-11, tie_tol=sg.tolerance)
        assert np.max(np.abs(fast.values - ref.values)) <= 1e-10
        assert fast.residual <= 1e-10
        # the policies agree wherever the best action is not tied within 1e-6
        q = q_values(space.next_rows, sg.reward, fast.values, gamma)
        gap = np.sort(q, axis=0)[-1] - np.sort(q, axis=0)[-2]
        clear = gap > 1e-6
        assert np.array_equal(fast.policy[clear], ref.policy[clear])
        # the hint never changes the answer
        plain = solve(space.next_rows, sg.reward, gamma, tie_tol=sg.tolerance)
        assert np.max(np.abs(plain.values - fast.values)) <= 1e-12


def test_ties_go_to_the_lowest_action():
    # a game where both own actions are worth the same against everything
    g = tournament.Game(np.array([[[1, 1], [1, 1]], [[1, 1], [1, 1]]], dtype=float))
    sg = hy.SeatGame.of(g, 0)
    sol = _solve_one(hy.constant(sg, 1), sg, 0.9)
    assert sol.policy[0] == 0


def test_gamma_is_checked():
    sg = hy.SeatGame.of(PD, 0)
    with pytest.raises(ValueError, match="gamma"):
        _solve_one(hy.top(sg), sg, 1.0)


def test_pruning_drops_exactly_the_hypotheses_never_worth_more_than_top():
    from strategies.haggler.value_iteration import prune_below_top

    sg = hy.SeatGame.of(PD, 0)
    gamma = 0.95

    def pruned(prune_loops: bool) -> set[str]:
        space = build_space(sg, SpaceSpec(max_password=2, max_loop=2, prune=prune_loops))
        sol = solve(space.next_rows, sg.reward, gamma, tie_tol=sg.tolerance)
        best = space.hypothesis_max(sol.values)
        small, values, _ = prune_below_top(space, sol.values, sol.policy, sg.maximin, sg.tolerance)
        kept = {small.describe(h) for h in range(small.n_hypotheses)}
        expected = {
            space.describe(h) for h in range(space.n_hypotheses) if h == 0 or best[h] > sg.maximin + sg.tolerance
        }
        assert kept == expected
        # the kept values are the same numbers, re-indexed
        assert np.allclose(
            np.sort(values),
            np.sort(
                sol.values[np.isin(space.owner, [h for h in range(space.n_hypotheses) if space.describe(h) in kept])]
            ),
        )
        return kept

    full = pruned(False)
    assert "others always play C" in full and "others always play D" not in full  # D is worth 1 = ⊤
    assert "loop (C,D)" not in full and "loop (C,C)" in full
    # not generating loops without a pair worth more than ⊤ loses nothing
    assert pruned(True) == full
