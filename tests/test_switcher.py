"""The softmax switcher (docs/switcher.md; "Reducing collective rationality to individual
optimization in common-payoff games using MCMC") against its exact theory.

Statistical tolerances. The share of T rounds that the chain spends in profile a is
asymptotically normal with standard deviation σ_a/√T, where σ_a² = π_a(2Z_aa − 1 − π_a)
(Kemeny & Snell; ``theory.softmax.occupation_std``, Z the fundamental matrix). σ_a² is the
i.i.d. variance π_a(1 − π_a) inflated by the integrated autocorrelation time of the
indicator, so it already accounts for the stickiness of the chain — T/(σ_a²/(π_a(1−π_a))) is
the effective sample size. If every share is within 4 of its standard deviations, the
total-variation distance is at most TOL = ½·Σ_a 4σ_a/√T; under the CLT the chance that some
share of the ≤ 8 profiles is not is below 8·P(|Z| > 4) ≈ 5·10⁻⁴. The runs start from the
uniform distribution (round 0) and drop a burn-in of ≥ 20 relaxation times 1/(1 − λ₂), after
which the start's influence on the occupation is below e⁻²⁰; the remaining bias of the
average, ≈ t_rel/T, is < 10⁻³ of TOL. Seeds are fixed, so the tests are deterministic; the
reasoning says that they do not pass by luck and would fail for a wrong rule: each test also
checks that the nearest wrong prediction (uniform, another α, the chain without noise) is
more than TOL away.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.softmax_switcher import SoftmaxSwitcher
from tournament import Game, ScenarioError, StrategyError, games, load_scenario, play_match
from tournament.engine.match import MatchModel
from tournament.theory import softmax as S

# A small common-payoff game with unequal action counts (2 x 3) and three payoff levels
# besides the optimum, so the softmax is far from uniform and from a point mass.
U_SMALL = np.array([[3.0, 0.0, 1.0], [0.0, 2.0, 1.0]])
SMALL = Game(np.stack([U_SMALL, U_SMALL], axis=-1), actions=[["a", "b"], ["x", "y", "z"]], name="small common")
PD = games.get("prisoners_dilemma")
HL2 = games.get("coordination_high_low")
HL3 = games.get("coordination_high_low", players=3)


def tv(p: np.ndarray, q: np.ndarray) -> float:
    return 0.5 * float(np.abs(p - q).sum())


def run_switchers(game: Game, alpha, turns: int, seed: int, noise: float = 0.0):
    alphas = alpha if isinstance(alpha, (list, tuple)) else [alpha] * game.n_players
    return play_match(game, [SoftmaxSwitcher(alpha=a) for a in alphas], turns=turns, seed=seed, noise=noise)


def tolerance(P, pi: np.ndarray, T: int) -> float:
    return 0.5 * float((4 * S.occupation_std(P, pi) / math.sqrt(T)).sum())


def burn_in(P) -> int:
    return int(math.ceil(20 * S.relaxation_time(P)))


# ---------------------------------------------------------------- the switching rule
def test_only_the_seat_selected_by_xi_may_change_and_round_0_is_uniform():
    game = games.get("stag_hunt", players=3)
    import strategies

    seated = [SoftmaxSwitcher(alpha=0.0), strategies.get("always_cooperate"), SoftmaxSwitcher(alpha=0.5)]
    model = MatchModel(game, seated, turns=3000, seed=11)
    res = model.run()
    sel = np.minimum((model.xi * 3).astype(int), 2)
    changed = res.actions[1:] != res.actions[:-1]
    for seat in (0, 2):
        assert not changed[sel[1:] != seat, seat].any()
        assert changed[sel[1:] == seat, seat].any()
    # α = 0: a selected switcher re-draws every time, so it changes w.p. 1/2 (2 actions)
    n0 = int((sel[1:] == 0).sum())
    k0 = int(changed[sel[1:] == 0, 0].sum())
    assert abs(k0 - n0 / 2) < 4 * math.sqrt(n0 / 4)
    # round 0 over many seeds: uniform over the own actions
    firsts = [run_switchers(SMALL, 1.0, 1, seed=s).actions[0, 1] for s in range(600)]
    counts = np.bincount(firsts, minlength=3)
    assert np.all(np.abs(counts - 200) < 4 * math.sqrt(600 * (1 / 3) * (2 / 3)))


def test_switch_probability_is_exp_alpha_times_u_min_minus_last_payoff():
    """In the 2-player high/low game with α = 0.1: at payoff 0 (= u_min) the selected seat
    re-draws surely, at 5 with e^{-0.5}, at 10 with e^{-1}; a re-draw changes the action w.p. 1/2."""
    alpha = 0.1
    model = MatchModel(HL2, [SoftmaxSwitcher(alpha=alpha), SoftmaxSwitcher(alpha=alpha)], turns=60000, seed=3)
    res = model.run()
    sel = np.minimum((model.xi * 2).astype(int), 1)[1:]
    acts, pays = res.actions, res.payoffs
    for seat in (0, 1):
        mask_sel = sel == seat
        changed = acts[1:, seat] != acts[:-1, seat]
        for level in (0.0, 5.0, 10.0):
            mask = mask_sel & (pays[:-1, seat] == level)
            n = int(mask.sum())
            p = 0.5 * math.exp(alpha * (0.0 - level))
            k = int(changed[mask].sum())
            assert n > 1000
            assert abs(k - n * p) < 4.5 * math.sqrt(n * p * (1 - p)), (seat, level, k, n, p)


def test_large_alpha_freezes_play_in_the_first_equilibrium_reached():
    """α = 40: leaving (High,High) or (Low,Low) has probability ≤ e^{-200}, a miscoordinated
    profile (payoff 0 = u_min) is always left by the selected seat. From a miscoordinated
    profile both equilibria are equally likely to be reached, so (High,High) is where play
    freezes with probability 1/4 + 1/2·1/2 = 1/2 — the exploration cost of large α."""
    frozen_high = 0
    n = 200
    for seed in range(n):
        acts = run_switchers(HL2, 40.0, 60, seed=seed).actions
        coordinated = acts[:, 0] == acts[:, 1]
        first = int(np.argmax(coordinated))
        assert coordinated.any() and (acts[first:] == acts[first]).all()
        frozen_high += int(acts[first, 0] == 0)
    assert abs(frozen_high - n / 2) < 4 * math.sqrt(n / 4)


def test_reproducible_and_alpha_zero_is_a_random_walk_of_single_seat_moves():
    a = run_switchers(HL3, 0.7, 500, seed=9)
    b = run_switchers(HL3, 0.7, 500, seed=9)
    assert np.array_equal(a.actions, b.actions)
    assert np.all((a.actions[1:] != a.actions[:-1]).sum(axis=1) <= 1)


@pytest.mark.slow
# ---------------------------------------------------------------- stationary distributions
@pytest.mark.parametrize("game, alpha, T, seed", [(SMALL, 1.0, 150_000, 1), (HL3, 0.3, 150_000, 2)])
def test_occupation_matches_softmax_and_the_exact_chain(game, alpha, T, seed):
    P = S.transition_matrix(game, alpha)
    exact = S.stationary_distribution(P)
    soft = S.softmax_distribution(game, alpha)
    np.testing.assert_allclose(exact, soft, atol=1e-12)
    tol = tolerance(P, exact, T)
    b = burn_in(P)
    emp = S.occupation(game, run_switchers(game, alpha, T + b, seed).actions, burn_in=b)
    assert tv(emp, soft) < tol, (tv(emp, soft), tol)
    assert tv(emp, exact) < tol
    # the test discriminates: uniform play and half the rationality are far outside TOL
    assert tv(emp, np.full(game.n_profiles, 1 / game.n_profiles)) > 3 * tol
    assert tv(emp, S.softmax_distribution(game, alpha / 2)) > 2 * tol


@pytest.mark.slow
def test_alpha_zero_gives_the_uniform_distribution():
    T = 100_000
    P = S.transition_matrix(SMALL, 0.0)
    uniform = np.full(6, 1 / 6)
    np.testing.assert_allclose(S.stationary_distribution(P), uniform, atol=1e-14)
    emp = S.occupation(SMALL, run_switchers(SMALL, 0.0, T + burn_in(P), 4).actions, burn_in=burn_in(P))
    assert tv(emp, uniform) < tolerance(P, uniform, T)


def test_prisoners_dilemma_drifts_to_mutual_defection():
    """Seed 000, "Extension to non-common-payoff games": (C,C) is left far more easily than
    it is entered. With α = 1 on the seed PD the exact chain gives (C,C) 0.072, (D,D) 0.534."""
    alpha, T = 1.0, 120_000
    P = S.transition_matrix(PD, alpha)
    exact = S.stationary_distribution(P)
    b = burn_in(P)
    emp = S.occupation(PD, run_switchers(PD, alpha, T + b, 6).actions, burn_in=b)
    cc, dd = PD.strides @ PD.profile([0, 0]), PD.strides @ PD.profile([1, 1])
    assert emp[dd] > 5 * emp[cc] and emp[dd] > 0.45
    assert exact[dd] > 7 * exact[cc]
    assert tv(emp, exact) < tolerance(P, exact, T)


def test_noise_enters_as_a_kernel_after_each_step_of_the_recorded_profile():
    """The switcher keeps the action recorded in the history (after noise): the observed
    profile is then the chain P·N. Ignoring the noise kernel would be clearly rejected."""
    alpha, noise, T = 1.0, 0.1, 120_000
    P = S.transition_matrix(PD, alpha, noise=noise)
    exact = S.stationary_distribution(P)
    b = burn_in(P)
    emp = S.occupation(PD, run_switchers(PD, alpha, T + b, 8, noise=noise).actions, burn_in=b)
    tol = tolerance(P, exact, T)
    assert tv(emp, exact) < tol
    assert tv(emp, S.stationary_distribution(S.transition_matrix(PD, alpha))) > 3 * tol


@pytest.mark.slow
def test_heterogeneous_alphas_match_their_exact_chain():
    alphas, T = [0.2, 1.5], 120_000
    P = S.transition_matrix(SMALL, alphas)
    exact = S.stationary_distribution(P)
    b = burn_in(P)
    emp = S.occupation(SMALL, run_switchers(SMALL, alphas, T + b, 12).actions, burn_in=b)
    assert tv(emp, exact) < tolerance(P, exact, T)


# ---------------------------------------------------------------- theory module
@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=2, max_size=3),
    alpha=st.floats(0.0, 3.0),
    data=st.data(),
)
def test_gth_stationary_equals_softmax_and_detailed_balance(shape, alpha, data):
    n = int(np.prod(shape))
    u = np.array(data.draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n)), dtype=float).reshape(shape)
    game = Game(np.stack([u] * len(shape), axis=-1))
    P = S.transition_matrix(game, alpha)
    Pd = P.toarray()
    np.testing.assert_allclose(Pd.sum(axis=1), 1.0, atol=1e-12)
    # only single-seat moves
    prof = game.profile_array
    moves = (prof[:, None, :] != prof[None, :, :]).sum(axis=2)
    assert np.all(Pd[moves > 1] == 0)
    pi = S.softmax_distribution(game, alpha)
    np.testing.assert_allclose(S.stationary_distribution(P), pi, atol=1e-10)
    flow = pi[:, None] * Pd
    np.testing.assert_allclose(flow, flow.T, atol=1e-12)


def test_transition_matrix_of_the_two_player_high_low_game_by_hand():
    a = 0.1
    P = S.transition_matrix(HL2, a).toarray()
    e5, e10 = math.exp(-0.5), math.exp(-1.0)
    # from (H,H) [payoff 10]: each seat selected w.p. 1/2, re-draws w.p. e^{-1}, to L w.p. 1/2
    np.testing.assert_allclose(P[0], [1 - e10 / 2, e10 / 4, e10 / 4, 0])
    # from (H,L) [payoff 0 = u_min]: the selected seat re-draws surely
    np.testing.assert_allclose(P[1], [0.25, 0.5, 0, 0.25])
    np.testing.assert_allclose(P[3], [0, e5 / 4, e5 / 4, 1 - e5 / 2])


def test_sparse_solver_agrees_with_gth_on_a_larger_chain(monkeypatch):
    game = games.get("robots_abc", players=6)  # 729 profiles
    P = S.transition_matrix(game, 2.0)
    dense = S.stationary_distribution(P)
    monkeypatch.setattr(S, "DENSE_LIMIT", 10)
    sparse = S.stationary_distribution(P)
    np.testing.assert_allclose(sparse, dense, atol=1e-10)
    np.testing.assert_allclose(dense, S.softmax_distribution(game, 2.0), atol=1e-10)


def test_seed_bound_on_alpha():
    """α(ε) = ln(|A|·(U* − u_min)/ε)/(U* − U₂) makes the expected suboptimality ≤ ε, and the
    exact smallest α is below it. High/low: |A| = 4, U* = 10, U₂ = 5, u_min = 0."""
    for eps in (1.0, 0.1, 0.01):
        a = S.alpha_for_suboptimality(HL2, eps)
        assert a == pytest.approx(math.log(4 * 10 / eps) / 5)
        assert S.suboptimality_bound(HL2, a) == pytest.approx(eps)
        sub = 10 - S.expected_utility(HL2, S.softmax_distribution(HL2, a))[0]
        assert sub <= eps
        exact = S.exact_alpha_for_suboptimality(HL2, eps)
        assert exact < a
        sub_exact = 10 - S.expected_utility(HL2, S.softmax_distribution(HL2, exact))[0]
        assert sub_exact == pytest.approx(eps, rel=1e-6)
    # 3 players: |A| = 8
    assert S.alpha_for_suboptimality(HL3, 0.1) == pytest.approx(math.log(8 * 10 / 0.1) / 5)
    assert S.alpha_for_suboptimality(HL2, 100.0) == 0.0
    with pytest.raises(Exception, match="not a common-payoff game"):
        S.alpha_for_suboptimality(PD, 0.1)


@pytest.mark.slow
def test_hitting_time_and_occupation_over_a_finite_match_agree_with_simulation():
    """The exploration cost: expected rounds to first reach (High, High) from the uniform
    round 0, E[min(τ, T)] from the exact first-passage distribution, against 400 matches."""
    alpha, T = 0.6, 200
    P = S.transition_matrix(HL2, alpha)
    opt = S.optimal_profiles(HL2)
    cdf = S.hitting_time_cdf(P, opt, T)
    expected_trunc = float((1 - cdf).sum())
    assert S.hitting_time(P, opt) > expected_trunc  # truncation only shortens
    times, shares = [], []
    for seed in range(400):
        acts = run_switchers(HL2, alpha, T, seed=1000 + seed).actions
        hit = np.all(acts == 0, axis=1)
        times.append(int(np.argmax(hit)) if hit.any() else T)
        shares.append(hit.mean())
    times = np.array(times)
    assert abs(times.mean() - expected_trunc) < 4 * times.std() / math.sqrt(len(times))
    occ = S.expected_occupation(P, T)[opt].sum()
    assert abs(np.mean(shares) - occ) < 4 * np.std(shares) / math.sqrt(len(shares))
    assert occ < S.softmax_distribution(HL2, alpha)[opt].sum()  # the burn-in costs


# ---------------------------------------------------------------- errors
def test_parameter_errors_are_clear():
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        SoftmaxSwitcher(alpha=-1)
    with pytest.raises(ValueError, match="u_min"):
        SoftmaxSwitcher(u_min="low")
    with pytest.raises(StrategyError, match="u_min=3.*above the lowest own payoff 0"):
        play_match(HL2, [SoftmaxSwitcher(u_min=3), "softmax_switcher"], turns=5, seed=0)
    # a lower u_min only slows the chain: same stationary distribution
    P = S.transition_matrix(SMALL, 1.0, u_min=-2.0)
    np.testing.assert_allclose(S.stationary_distribution(P), S.softmax_distribution(SMALL, 1.0), atol=1e-12)
    assert S.relaxation_time(P) > S.relaxation_time(S.transition_matrix(SMALL, 1.0))


def test_scenario_loader_rejects_a_bad_u_min_with_the_entrant(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "bad"\n[game]\nname = "coordination_high_low"\n[tournament]\nturns = 5\nself_play = true\n'
        '[[entrants]]\nstrategy = "softmax_switcher"\nparams = { alpha = 1.0, u_min = 4 }\n'
    )
    with pytest.raises(ScenarioError, match=r"softmax_switcher.*u_min=4 is above"):
        load_scenario(path)


def test_finite_horizon_helpers_agree():
    P = S.transition_matrix(HL3, 0.5, noise=0.02)
    opt = S.optimal_profiles(HL3)
    path = S.distribution_path(P, 300)
    np.testing.assert_allclose(path.sum(axis=1), 1.0)
    np.testing.assert_allclose(S.target_probabilities(P, opt, 300), path[:, opt].sum(axis=1), atol=1e-14)
    np.testing.assert_allclose(S.expected_occupation(P, 300), path.mean(axis=0), atol=1e-14)
    # the path converges to the stationary distribution
    np.testing.assert_allclose(S.distribution_path(P, 5000)[-1], S.stationary_distribution(P), atol=1e-9)


def test_hitting_time_is_infinite_when_switching_underflows():
    # at alpha = 80 a switcher at (Low, Low) re-draws with probability exp(-80*5) = 0 in floating
    # point, so from a uniform start the optimum is reached only half the time: E[tau] = inf
    import math

    from tournament import games
    from tournament.theory.softmax import hitting_time, optimal_profiles, transition_matrix

    g = games.get("coordination_high_low")
    P = transition_matrix(g, 80.0)
    assert math.isinf(hitting_time(P, optimal_profiles(g)))
    assert hitting_time(transition_matrix(g, 1.0), optimal_profiles(g)) < 1e3
