"""Symmetric optima of symmetric common-payoff games (docs/populations.md; "For Learning in
Symmetric Teams, Local Optima are Global Nash Equilibria")."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournament import GameError, analysis, games
from tournament.analysis.symmetric import (
    focal_payoffs,
    improving_pair_deviation,
    pure_symmetric_values,
    symmetric_optimum,
    symmetric_value,
    unilateral_gains,
)
from tournament.theory.multisets import FocalPayoffs, hypergeometric_probs, multisets


def brute_value(game, profile):
    """Expected payoff of player 0 under independent mixed strategies, summing every pure profile."""
    total = 0.0
    for prof in itertools.product(*(range(n) for n in game.n_actions)):
        total += np.prod([profile[i][a] for i, a in enumerate(prof)]) * game.payoffs[prof][0]
    return total


def test_exported_from_analysis():
    assert analysis.symmetric_optimum is symmetric_optimum


def test_taxi_identical_is_the_fair_coin_nash_but_not_locally_optimal():
    g = games.get("taxi_identical")
    r = symmetric_optimum(g, method="slsqp", starts=10, seed=0)
    assert r.value == pytest.approx(0.5, abs=1e-9)
    assert r.strategy == pytest.approx([0.5, 0.5], abs=1e-6)
    assert r.mixed and r.support == ["H", "W"]
    assert r.is_nash and abs(r.nash_gain) < 1e-9  # Thm 4.0.2
    assert not r.degenerate and r.local_optimum_asymmetric is False  # Thm 5.0.4
    # the witness really improves: Auto leans one way, Mobile the other
    dev = r.improving_deviation
    eps = 1e-2
    s = r.strategy
    assert brute_value(g, [s + eps * dev.direction_0, s + eps * dev.direction_1]) > 0.5 + 1e-5
    # ... while every unilateral deviation is worthless
    assert brute_value(g, [np.array([1.0, 0.0]), s]) == pytest.approx(0.5)


def test_taxi_identical_replicator_agrees():
    r = symmetric_optimum(games.get("taxi_identical"), method="replicator", starts=5, seed=3)
    assert r.value == pytest.approx(0.5, abs=1e-9) and r.mixed


def test_taxi_both_needed_is_pure_with_value_one():
    r = symmetric_optimum(games.get("taxi_both_needed"), starts=10, seed=0)
    assert not r.mixed and r.value == 1.0 and len(r.support) == 1
    assert r.is_nash and r.local_optimum_asymmetric is True
    # the 50/50 mix is a Nash equilibrium too, but a local *minimum* of U in symmetric space
    s = np.array([0.5, 0.5])
    f = focal_payoffs(games.get("taxi_both_needed"))
    assert np.allclose(unilateral_gains(f, s), 0)
    assert symmetric_value(f, [0.6, 0.4]) > symmetric_value(f, s)


def test_robots_best_symmetric_profile_is_all_a():
    g = games.get("robots_abc")  # 10 robots
    r = symmetric_optimum(g, starts=5, seed=1)
    assert r.support == ["a"] and r.value == 1.0 and not r.mixed
    assert r.is_nash and r.local_optimum_asymmetric is True  # stable (Thm 5.0.4, pure)
    # the asymmetric optimum (one b, nine c) pays 1 + eps, out of reach of symmetric play
    assert g.payoff(["b"] + ["c"] * 9)[0] == pytest.approx(1.1)


def test_degenerate_example_is_not_locally_optimal():
    r = symmetric_optimum(games.get("degenerate_3x3"), starts=10, seed=0)
    assert r.support == ["a"] and r.value == 1.0
    assert r.is_nash and r.degenerate and not r.generic
    assert r.local_optimum_asymmetric is False  # Ex. 5.0.5: row to b, column to c
    dev = r.improving_deviation
    assert dev.direction_0[1] > 0 and dev.direction_1[2] > 0 or dev.direction_0[2] > 0 and dev.direction_1[1] > 0


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), a=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_multiset_polynomial_equals_brute_force(n, a, seed):
    g = games.random_game(n, a, seed=seed)
    f = FocalPayoffs.from_game(g)
    s = np.random.default_rng(seed).dirichlet(np.ones(a))
    assert f.value(s) == pytest.approx(brute_value(g, [s] * n), rel=1e-9, abs=1e-9)
    if n >= 2:  # EU(a, s): player 0 fixed to a
        for act in range(a):
            e = np.eye(a)[act]
            assert f.against(s)[act] == pytest.approx(brute_value(g, [e] + [s] * (n - 1)), abs=1e-9)
        h = f.pair_matrix(s)
        assert h[0, a - 1] == pytest.approx(brute_value(g, [np.eye(a)[0], np.eye(a)[a - 1]] + [s] * (n - 2)), abs=1e-9)


def test_gradient_is_k_times_eu():
    g = games.random_game(4, 3, seed=2)
    f = FocalPayoffs.from_game(g)
    s = np.array([0.2, 0.5, 0.3])
    h = 1e-6
    num = [(f.value(s + h * e) - f.value(s - h * e)) / (2 * h) for e in np.eye(3)]
    assert num == pytest.approx(4 * f.against(s), rel=1e-6)


def test_batched_tables_and_hypergeometric():
    f = FocalPayoffs(np.stack([FocalPayoffs.from_game(games.random_game(3, 2, seed=i)).table for i in range(4)]), 3)
    s = np.array([[0.3, 0.7]] * 4)
    single = [FocalPayoffs.from_game(games.random_game(3, 2, seed=i)).value(s[0]) for i in range(4)]
    assert f.value(s) == pytest.approx(single)
    # drawing 2 of (3 a, 2 b) without replacement: P(aa)=3/10, P(ab)=6/10, P(bb)=1/10
    assert hypergeometric_probs(np.array([3, 2]), multisets(2, 2)) == pytest.approx([0.3, 0.6, 0.1])


def test_found_optima_are_nash_and_thm_504_holds_on_random_games():
    for seed in range(12):
        g = games.random_game(3, 3, seed=seed)
        r = symmetric_optimum(g, starts=4, seed=seed)
        assert r.is_nash, seed  # Thm 4.0.2
        assert r.generic  # random games are a.s. non-degenerate (Prop. F.2.1)
        assert r.local_optimum_asymmetric is (not r.mixed), seed  # Thm 5.0.4
        assert r.value >= r.best_pure_value
        assert r.runs["reaches_best"].any()


def test_pure_values_and_bad_games():
    f = focal_payoffs(games.get("coordination_high_low", players=3))
    assert pure_symmetric_values(f).tolist() == [10.0, 5.0]
    with pytest.raises(GameError, match="common-payoff"):
        symmetric_optimum(games.get("prisoners_dilemma"))
    with pytest.raises(GameError, match="not symmetric"):
        FocalPayoffs.from_game(games.get("schelling_pub"))
    with pytest.raises(ValueError, match="method"):
        symmetric_optimum(games.get("taxi_identical"), method="newton")


def test_no_improving_pair_at_a_strict_pure_optimum():
    f = focal_payoffs(games.get("taxi_both_needed"))
    assert improving_pair_deviation(f, np.array([1.0, 0.0])) is None


def test_to_dict_is_json_ready():
    import json

    d = symmetric_optimum(games.get("taxi_identical"), starts=2).to_dict()
    assert json.loads(json.dumps(d))["strategy"] == {"H": 0.5, "W": 0.5}


def test_gamut_experiment_small_run(tmp_path):
    """The seed 002 experiment end to end on a small grid; on 2-player 2-action random games the
    best symmetric profile is mixed exactly when the off-diagonal payoff beats both diagonal ones
    (U(p) = a p² + 2 b p (1 − p) + c (1 − p)² has an interior maximum iff b > max(a, c))."""
    import importlib.util
    import sys
    from pathlib import Path

    import pandas as pd

    path = Path(__file__).resolve().parents[1] / "experiments" / "symmetric_gamut.py"
    spec = importlib.util.spec_from_file_location("symmetric_gamut", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    out = tmp_path / "gamut"
    assert (
        mod.main(
            [
                "--games",
                "40",
                "--starts",
                "3",
                "--players",
                "2",
                "2",
                "--actions",
                "2",
                "3",
                "--classes",
                "random",
                "coordination",
                "--tol",
                "1e-13",
                "--workers",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    games_df = pd.read_csv(out / "games.csv")
    rnd = games_df[(games_df["class"] == "random") & (games_df.A == 2)]
    for row in rnd.itertuples():
        seed = mod.np.random.SeedSequence(0, spawn_key=(0, 2, 2, row.game)).generate_state(2)[0]
        u = games.random_game(2, 2, seed=int(seed)).payoffs[..., 0]
        assert row.mixed == (u[0, 1] > max(u[0, 0], u[1, 1])), row.game
        assert row.mixed_seed_rule == row.mixed, row.game  # the authors' rule agrees here
    assert not games_df[games_df["class"] == "coordination"]["mixed"].any()  # best is always all-same
    summary = pd.read_csv(out / "summary.csv")
    assert {"mixed", "mixed_seed_rule", "single_slsqp", "any_replicator", "paper_mixed"} <= set(summary.columns)
    for name in ("heatmap_mixed.png", "heatmap_single.png", "heatmap_any.png", "runs.csv", "budget.json"):
        assert (out / name).exists()
