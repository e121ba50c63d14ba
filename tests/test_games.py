"""Games: library payoffs, derived facts, validation, generators."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournament import Game, GameError, games


def pay(name, profile, **params):
    return games.get(name, **params).payoff(profile).tolist()


# ----------------------------------------------------------------- library payoffs
@pytest.mark.parametrize(
    "name, params, profile, expected",
    [
        ("prisoners_dilemma", {}, ("C", "C"), [2, 2]),
        ("prisoners_dilemma", {}, ("C", "D"), [0, 3]),
        ("prisoners_dilemma", {}, ("D", "C"), [3, 0]),
        ("prisoners_dilemma", {}, ("D", "D"), [1, 1]),
        ("prisoners_dilemma", {"R": 4}, ("C", "C"), [4, 4]),
        ("axelrod_pd", {}, ("C", "C"), [3, 3]),
        ("axelrod_pd", {}, ("D", "C"), [5, 0]),
        ("axelrod_pd", {}, ("D", "D"), [1, 1]),
        ("stag_hunt", {}, ("Stag", "Stag"), [3, 3]),
        ("stag_hunt", {}, ("Stag", "Rabbit"), [0, 1]),
        ("stag_hunt", {"players": 3}, ("Stag", "Stag", "Stag"), [3, 3, 3]),
        ("stag_hunt", {"players": 3}, ("Stag", "Rabbit", "Stag"), [0, 1, 0]),
        ("stag_hunt", {"players": 3}, ("Rabbit", "Rabbit", "Rabbit"), [1, 1, 1]),
        ("coordination_high_low", {}, ("High", "High"), [10, 10]),
        ("coordination_high_low", {}, ("Low", "Low"), [5, 5]),
        ("coordination_high_low", {}, ("High", "Low"), [0, 0]),
        ("coordination_high_low", {"players": 3}, ("Low", "Low", "Low"), [5, 5, 5]),
        ("coordination_high_low", {"players": 3}, ("High", "High", "Low"), [0, 0, 0]),
        ("schelling_pub", {}, ("X", "X"), [2, 1]),
        ("schelling_pub", {}, ("Y", "Y"), [1, 2]),
        ("schelling_pub", {}, ("X", "Y"), [0, 0]),
        ("schelling_order", {}, ("ABC", "ABC", "ABC"), [1, 1, 1]),
        ("schelling_order", {}, ("CBA", "CBA", "CBA"), [1, 1, 1]),
        ("schelling_order", {}, ("ABC", "ACB", "ABC"), [0, 0, 0]),
        ("demand_3p", {}, ("3", "3", "1"), [3, 3, 1]),
        ("demand_3p", {}, ("1", "1", "3"), [1, 1, 3]),
        ("demand_3p", {}, ("2", "2", "1"), [2, 2, 0]),
        ("demand_3p", {}, ("2", "2", "3"), [2, 2, 0]),
        ("demand_3p", {}, ("3", "3", "3"), [0, 0, 0]),
        ("demand_3p", {}, ("3", "2", "1"), [0, 0, 0]),
        ("sacrifice_vote", {}, ("C", "C", "A"), [1, 1, 0]),
        ("sacrifice_vote", {}, ("B", "B", "B"), [1, 0, 1]),
        ("sacrifice_vote", {}, ("B", "C", "A"), [0, 0, 0]),
        ("sacrifice_vote", {}, ("A", "B", "C"), [0, 0, 0]),
        ("matching_pennies", {}, ("H", "H"), [1, -1]),
        ("matching_pennies", {}, ("H", "T"), [-1, 1]),
        ("chicken", {}, ("Swerve", "Straight"), [-1, 1]),
        ("chicken", {}, ("Straight", "Straight"), [-10, -10]),
        ("hawk_dove", {"V": 2, "C": 4}, ("Hawk", "Hawk"), [-1, -1]),
        ("hawk_dove", {"V": 2, "C": 4}, ("Hawk", "Dove"), [2, 0]),
        ("hawk_dove", {"V": 2, "C": 4}, ("Dove", "Dove"), [1, 1]),
        ("rock_paper_scissors", {}, ("R", "S"), [1, -1]),
        ("rock_paper_scissors", {}, ("R", "P"), [-1, 1]),
        ("rock_paper_scissors", {}, ("S", "P"), [1, -1]),
        ("rock_paper_scissors", {}, ("P", "P"), [0, 0]),
        ("taxi_identical", {}, ("H", "W"), [1, 1]),
        ("taxi_identical", {}, ("W", "W"), [0, 0]),
        ("taxi_both_needed", {}, ("H", "H"), [1, 1]),
        ("taxi_both_needed", {}, ("W", "H"), [0, 0]),
        ("robots_abc", {"players": 4, "epsilon": 0.25}, ("a", "a", "a", "a"), [1, 1, 1, 1]),
        ("robots_abc", {"players": 4, "epsilon": 0.25}, ("c", "b", "c", "c"), [1.25] * 4),
        ("robots_abc", {"players": 4, "epsilon": 0.25}, ("b", "b", "c", "c"), [0] * 4),
        ("robots_abc", {"players": 4, "epsilon": 0.25}, ("a", "b", "c", "c"), [0] * 4),
        ("degenerate_3x3", {"epsilon": 0.5}, ("a", "c"), [1, 1]),
        ("degenerate_3x3", {"epsilon": 0.5}, ("b", "b"), [-10, -10]),
        ("degenerate_3x3", {"epsilon": 0.5}, ("b", "c"), [1.5, 1.5]),
    ],
)
def test_library_payoffs(name, params, profile, expected):
    assert pay(name, profile, **params) == pytest.approx(expected)


def test_cake_splitting_payoffs():
    g = games.get("cake_splitting")
    assert g.players == ("A", "B", "C")
    assert g.actions == (("B", "C"), ("A", "C"), ("A", "B"))
    # A and B name each other; C names anyone
    assert g.payoff(("B", "A", "A")).tolist() == pytest.approx([5 / 12, 5 / 12, 0])
    assert g.payoff(("B", "A", "B")).tolist() == pytest.approx([5 / 12, 5 / 12, 0])
    # B and C pair up
    assert g.payoff(("B", "C", "B")).tolist() == pytest.approx([0, 5 / 12, 5 / 12])
    # a cycle of naming: no mutual pair
    assert g.payoff(("B", "C", "A")).tolist() == pytest.approx([1 / 3] * 3)


def test_every_library_game_builds_with_defaults():
    for name in games.names():
        g = games.get(name, players=3) if name == "robots_abc" else games.get(name)
        assert g.payoffs.shape == tuple(g.n_actions) + (g.n_players,)
        assert not g.payoffs.flags.writeable


# ------------------------------------------------------------------- derived facts
def test_pd_derived_facts():
    g = games.get("prisoners_dilemma")
    assert g.pure_nash_equilibria == [(1, 1)]
    assert sorted(g.pareto_optimal_profiles) == [(0, 0), (0, 1), (1, 0)]
    assert g.is_symmetric and not g.is_common_payoff
    assert g.pure_security_value(0) == 1.0
    value, x = g.security_strategy(0)
    assert value == pytest.approx(1.0) and x == pytest.approx([0, 1])


def test_mixed_security_of_matching_pennies_is_half_half():
    g = games.get("matching_pennies")
    assert g.pure_security_value(0) == -1.0
    value, x = g.security_strategy(0)
    assert value == pytest.approx(0.0, abs=1e-9)
    assert x == pytest.approx([0.5, 0.5])
    assert g.pure_nash_equilibria == []


def test_rps_mixed_security_and_symmetry():
    g = games.get("rock_paper_scissors")
    value, x = g.security_strategy(1)
    assert value == pytest.approx(0.0, abs=1e-9)
    assert x == pytest.approx([1 / 3] * 3, abs=1e-9)
    assert g.is_symmetric


def test_common_payoff_and_symmetry_flags():
    assert games.get("coordination_high_low", players=3).is_common_payoff
    assert games.get("coordination_high_low", players=3).is_symmetric
    assert games.get("stag_hunt", players=4).is_symmetric
    assert not games.get("schelling_pub").is_symmetric  # X favours player 0
    assert not games.get("demand_3p").is_symmetric
    assert games.get("taxi_identical").is_common_payoff


def test_stag_hunt_equilibria_and_pareto():
    g = games.get("stag_hunt", players=3)
    assert sorted(g.pure_nash_equilibria) == [(0, 0, 0), (1, 1, 1)]
    assert g.pareto_optimal_profiles == [(0, 0, 0)]


def test_demand_3p_pareto_profiles():
    g = games.get("demand_3p")
    vecs = {tuple(g.payoffs[p]) for p in g.pareto_optimal_profiles}
    assert vecs == {(3.0, 3.0, 1.0), (1.0, 1.0, 3.0)}  # (2,2,0) is dominated by (3,3,1)


def test_asymmetric_payoffs_detected():
    p = np.array([[[2, 2], [0, 3]], [[3, 0], [1, 1.5]]])
    assert not Game(p).is_symmetric


# ------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "payoffs, actions, match",
    [
        ([[1, 2], [3, 4]], None, "last axis"),
        ([[[1, np.nan], [0, 3]], [[3, 0], [1, 1]]], None, "non-finite"),
        ([[[1, 1], [0, 3]], [[3, 0], [1, 1]]], [["C", "C"], ["C", "D"]], "duplicate"),
        ([[[1, 1], [0, 3]], [[3, 0], [1, 1]]], [["C", "D", "E"], ["C", "D"]], "actions\\[0\\]"),
        ([[[1, 1], [0, 3]], [[3, 0], [1, 1]]], [["C", "D"]], "action lists"),
        ("abc", None, "payoffs"),
        ([1, 2, 3], None, "shape"),
    ],
)
def test_game_validation_names_the_field(payoffs, actions, match):
    with pytest.raises(GameError, match=match):
        Game(payoffs, actions=actions)


def test_unknown_game_and_param_suggest():
    with pytest.raises(GameError, match="Did you mean 'prisoners_dilemma'"):
        games.get("prisoners_dilema")
    with pytest.raises(GameError, match="no parameter 'r'"):
        games.get("prisoners_dilemma", r=3)
    with pytest.raises(GameError, match="must be a number"):
        games.get("prisoners_dilemma", R="big")


def test_action_lookup_errors():
    g = games.get("prisoners_dilemma")
    with pytest.raises(GameError, match="no action 'X'"):
        g.profile(("X", "C"))
    with pytest.raises(GameError, match="0..1"):
        g.profile((2, 0))


# ------------------------------------------------------------------- generators
@pytest.mark.parametrize("gen", ["random_game", "coordination_game", "collaboration_game"])
def test_generators_are_seeded_symmetric_common_payoff(gen):
    g1 = games.get(gen, N=3, A=3, seed=5)
    g2 = games.get(gen, N=3, A=3, seed=5)
    g3 = games.get(gen, N=3, A=3, seed=6)
    assert g1 == g2 and g1 != g3
    assert g1.is_common_payoff and g1.is_symmetric
    u = g1.payoffs[..., 0]
    diag = [u[a, a, a] for a in range(3)]
    off = u[0, 1, 2]
    if gen == "coordination_game":
        assert all(0 <= d <= 100 for d in diag) and -100 <= off <= 0
    if gen == "collaboration_game":
        assert diag == [100, 100, 100] and -100 <= off <= 99
    if gen == "random_game":
        assert np.all(np.abs(u) <= 100)
    # one payoff per unordered profile: all 3 orders of (0, 1, 1) agree
    assert u[0, 1, 1] == u[1, 0, 1] == u[1, 1, 0]


# ------------------------------------------------------------------- round trip
@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    data=st.data(),
)
def test_to_dict_round_trip(shape, data):
    k = len(shape)
    n = int(np.prod(shape)) * k
    values = data.draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=n, max_size=n))
    g = Game(np.array(values).reshape(tuple(shape) + (k,)), name="g")
    g2 = Game.from_dict(g.to_dict())
    assert g2 == g and g2.actions == g.actions and g2.name == g.name
    # every pure NE really is one
    for prof in g.pure_nash_equilibria:
        for i in range(k):
            for a in range(shape[i]):
                dev = list(prof)
                dev[i] = a
                assert g.payoffs[tuple(dev)][i] <= g.payoffs[prof][i] + g.tolerance
