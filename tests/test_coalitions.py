"""Coalition structures (README, "Analyses: stable cycles, Pareto optimality, coalitions") on games
whose answers are known."""

import numpy as np
import pytest

import strategies
from tournament import games, play_match
from tournament.analysis import analyze_coalitions, coalition_structure, match_columns, pure_coalition_structure
from tournament.analysis.coalitions import format_structure, guaranteed, parse_structure


def fixed(action):
    return strategies.get("fixed", action=action)


def test_cake_splitting_mutual_pair():
    g = games.get("cake_splitting")
    # A names B, B names A, C names A
    m = play_match(g, [fixed("B"), fixed("A"), fixed("A")], turns=20, seed=0)
    row = match_columns(g, m.actions, m.payoffs)
    assert row["coalition"] == "{0,1}|{2}"
    assert [row[f"cycle_payoff_{i}"] for i in range(3)] == pytest.approx([5 / 12, 5 / 12, 0])
    assert row["pareto_optimal"] is True and row["coalition_stable"] is True
    assert coalition_structure(g, m.actions[:1]) == [frozenset({0, 1}), frozenset({2})]
    assert pure_coalition_structure(g, m.actions[:1]) == [frozenset({0, 1}), frozenset({2})]


def test_cake_splitting_naming_cycle_is_a_grand_coalition():
    g = games.get("cake_splitting")
    prof = g.profile(("B", "C", "A"))  # nobody pairs up: 1/3 each, above the security value 0
    # no pair can guarantee its 1/3 against the third (who could pair with one of them),
    # but all three together hold it: by §6.3 that is the grand coalition
    rep = analyze_coalitions(g, [prof])
    assert rep.label == "{0,1,2}"
    # ...and it is unstable: any pair can name each other and guarantee 5/12 > 1/3
    assert set(rep.blocking) == {frozenset({0, 1}), frozenset({0, 2}), frozenset({1, 2})}
    assert pure_coalition_structure(g, [prof]) == [frozenset({0, 1, 2})]


def test_demand_3p_alice_and_bob_ask_two():
    g = games.get("demand_3p")
    m = play_match(g, [fixed("2"), fixed("2"), strategies.get("cycler", pattern=["1", "3"])], turns=30, seed=0)
    row = match_columns(g, m.actions, m.payoffs)
    assert row["settled"] and row["coalition"] == "{0,1}|{2}"
    assert [row[f"cycle_payoff_{i}"] for i in range(3)] == [2, 2, 0]
    assert row["pareto_optimal"] is False and row["pareto_gap"] == pytest.approx(3.0)  # (3,3,1)
    rep = analyze_coalitions(g, m.actions[-2:])
    assert rep.blocking == (frozenset({0, 1, 2}),) and not rep.stable
    assert row["blocking_groups"] == "{0,1,2}"


def test_stag_hunt_grand_coalition_and_no_coalition():
    g = games.get("stag_hunt", players=3)
    assert analyze_coalitions(g, [(0, 0, 0)]).label == "{0,1,2}"
    rep = analyze_coalitions(g, [(1, 1, 1)])  # everyone at the security value
    assert rep.label == "{0}|{1}|{2}" and rep.blocking == (frozenset({0, 1, 2}),)


def test_correlated_versus_independent_outsiders():
    # 3 players, player 2 is the outsider. The coalition {0,1} alternates (X,X),(Y,Y).
    # Player 0 gets 1 unless the outsider matches the coalition's current action, then 0.
    g_pay = np.zeros((2, 2, 2, 3))
    for a in range(2):
        for b in range(2):
            for c in range(2):
                coord = a == b
                g_pay[a, b, c, 0] = g_pay[a, b, c, 1] = (0.0 if c == a else 1.0) if coord else 0.0
    from tournament import Game

    g = Game(g_pay, actions=[["X", "Y"]] * 3)
    cycle = np.array([[0, 0, 0], [1, 1, 1]])
    # an outsider who sees the realized action always spoils it: U'_C guarantees 0
    assert guaranteed(g, (0, 1), cycle, "correlated").tolist() == [0.0, 0.0]
    # committing blindly, the outsider can spoil only half the rounds: U_C guarantees 1/2
    assert guaranteed(g, (0, 1), cycle, "independent").tolist() == [0.5, 0.5]


def test_structure_labels_round_trip():
    s = [frozenset({2}), frozenset({0, 1})]
    assert format_structure(s) == "{0,1}|{2}"
    assert sorted(map(sorted, parse_structure("{0,1}|{2}"))) == [[0, 1], [2]]
