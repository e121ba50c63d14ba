"""Learning baselines (docs/switcher.md): known answers from their sources."""

from __future__ import annotations

import math

import numpy as np
import pytest

import strategies
from strategies.learning import FictitiousPlay, Hedge, RegretMatching
from tournament import Game, ScenarioError, games, load_scenario, play_match
from tournament.engine.match import format_actions
from tournament.theory import external_regret, internal_regret
from tournament.theory.regret import own_payoff_matrix

RPS = games.get("rock_paper_scissors")

# Gibbons (1992, §1.1.B): R is strictly dominated by C for the column player; then D by U for
# the row player; then L by C. Iterated elimination leaves (U, C), the unique equilibrium.
GIBBONS = Game(
    np.stack([[[1, 1, 0], [0, 0, 2]], [[0, 2, 1], [3, 1, 0]]], axis=-1),
    actions=[["U", "D"], ["L", "C", "R"]],
    name="gibbons",
)


def three_player_dominance_solvable() -> Game:
    """Seat 0: a strictly dominant. Seat 1: x is the best response to a. Seat 2 (3 actions):
    p against (a, x), q against (b, y), r (0.5, a hedge) otherwise. Unique equilibrium (a, x, p)."""
    pay = np.zeros((2, 2, 3, 3))
    for a in range(2):
        for b in range(2):
            best = {(0, 0): 0, (1, 1): 1}.get((a, b), 2)
            for c in range(3):
                pay[a, b, c] = [a == 0, (a == 0) == (b == 0), 2.0 if c == best else (0.5 if c == 2 else 0.0)]
    return Game(pay, actions=[["a", "b"], ["x", "y"], ["p", "q", "r"]], name="three dominance")


# ---------------------------------------------------------------- fictitious play
def test_fictitious_play_follows_iterated_dominance_exactly():
    """With ties="first": round 0 best-responds to uniform beliefs — the row player is
    indifferent (2/3 each) and takes U, the column player is indifferent between L and C
    (3/2 each) and takes L; from round 1 on (U, C) forever."""
    m = play_match(GIBBONS, [FictitiousPlay(ties="first"), FictitiousPlay(ties="first")], turns=20, seed=0)
    assert format_actions(GIBBONS, m.actions, 0) == "U" * 20
    assert format_actions(GIBBONS, m.actions, 1) == "L" + "C" * 19
    assert not FictitiousPlay(ties="first").is_stochastic


@pytest.mark.parametrize("beliefs", ["joint", "independent"])
def test_fictitious_play_converges_to_the_pure_equilibrium_of_a_three_player_game(beliefs):
    game = three_player_dominance_solvable()
    assert game.pure_nash_equilibria == [(0, 0, 0)]
    for seed in range(10):
        m = play_match(game, [FictitiousPlay(beliefs=beliefs) for _ in range(3)], turns=40, seed=seed)
        # seat 0 dominant from round 0; seat 1 from round 1; seat 2 once (a, x) is the
        # most frequent joint action of the others, which happens within a few rounds
        assert (m.actions[:, 0] == 0).all()
        assert (m.actions[1:, 1] == 0).all()
        assert (m.actions[5:] == 0).all()


def test_joint_beliefs_keep_correlation_that_independent_beliefs_lose():
    """Seats 1 and 2 alternate in step, (C,C),(D,D),... Seat 0 bets on a match (1 if they
    play alike) or takes 0.6. Joint beliefs: a match is certain, so bet. Independent
    beliefs: each marginal is 1/2, so a match looks like 1/2 < 0.6."""
    pay = np.zeros((2, 2, 2, 3))
    for b in range(2):
        for c in range(2):
            pay[0, b, c, 0] = 1.0 if b == c else 0.0
            pay[1, b, c, 0] = 0.6
    game = Game(pay, actions=[["bet", "safe"], ["C", "D"], ["C", "D"]])
    for beliefs, expected in (("joint", "bet"), ("independent", "safe")):
        m = play_match(
            game, [FictitiousPlay(beliefs=beliefs, ties="first"), "alternator", "alternator"], turns=30, seed=1
        )
        assert format_actions(game, m.actions[2:], 0) == " ".join([expected] * 28)


def test_fictitious_play_empirical_frequencies_converge_in_a_zero_sum_game():
    """Robinson (1951): in two-player zero-sum games the empirical frequencies of fictitious
    play converge to the equilibrium set — (1/3, 1/3, 1/3) in rock-paper-scissors."""
    T = 20_000
    m = play_match(RPS, [FictitiousPlay(), FictitiousPlay()], turns=T, seed=2)
    for seat in (0, 1):
        freq = np.bincount(m.actions[:, seat], minlength=3) / T
        np.testing.assert_allclose(freq, 1 / 3, atol=0.01)
    # the early rounds are far from it: FP cycles R→P→S with growing run lengths
    early = np.bincount(m.actions[:30, 0], minlength=3) / 30
    assert np.abs(early - 1 / 3).max() > 0.05


def test_fictitious_play_prior_delays_the_response():
    """A prior of 10 uniform pseudo-rounds against always_defect in the PD: defecting is
    dominant anyway, so FP defects from round 0; in the stag hunt against always-Stag it
    hunts stag only once the stag evidence outweighs the prior (stag is then worth 3 vs 1)."""
    sh = games.get("stag_hunt")
    # belief in Stag after t rounds: (t + prior/2)/(t + prior); stag pays 3·P(Stag) vs rabbit 1
    m = play_match(sh, [FictitiousPlay(prior=10, ties="first"), "always_cooperate"], turns=10, seed=0)
    # stag better iff 3(t+5)/(t+10) > 1, true already at t = 0 (15/10 > 1)
    assert (m.actions[:, 0] == 0).all()
    m = play_match(sh, [FictitiousPlay(prior=100, ties="first"), "always_defect"], turns=10, seed=0)
    assert (m.actions[:, 0] == 0).all()  # 3·(50/100) = 1.5 > 1 at t=0; 3·50/(100+t) > 1 until t = 50


# ---------------------------------------------------------------- hedge
class RecordingHedge(Hedge):
    """Hedge that keeps every round's mixed action (for pathwise regret bounds)."""

    def reset(self, view):
        super().reset(view)
        self.history = []

    def choose(self, view):
        a = super().choose(view)
        self.history.append(self.probabilities.copy())
        return a


def test_hedge_weights_against_a_fixed_opponent_are_exact():
    """Against R every round the rescaled gains are R 1/2, P 1, S 0, so after t rounds
    p ∝ exp(η·t·(1/2, 1, 0))."""
    eta, T = 0.05, 60
    h = RecordingHedge(learning_rate=eta)
    play_match(RPS, [h, strategies.get("fixed", action="R")], turns=T, seed=0)
    for t in (0, 1, 10, T - 1):
        w = np.exp(eta * t * np.array([0.5, 1.0, 0.0]))
        np.testing.assert_allclose(h.history[t], w / w.sum(), rtol=1e-12)


@pytest.mark.parametrize("opponent", ["regret_matching", "fictitious_play", "hedge"])
@pytest.mark.parametrize("learning_rate", [0.05, None])
def test_hedge_pathwise_regret_bound(opponent, learning_rate):
    """For any (even adaptive) opponent: max_a Σ_t g_t(a) − Σ_t p_t·g_t ≤ ln(n)/η + η·T/8
    (fixed η; Cesa-Bianchi & Lugosi 2006, Thm 2.2) or 2√(T·ln(n)/2) + √(ln(n)/8) (anytime, Thm
    2.3), g_t the gains rescaled to [0, 1]."""
    T = 3000
    h = RecordingHedge(learning_rate=learning_rate)
    m = play_match(RPS, [h, opponent], turns=T, seed=4)
    u = own_payoff_matrix(RPS, 0)
    gains = ((u - u.min()) / (u.max() - u.min()))[:, m.actions[:, 1]].T  # (T, 3)
    expected = float((np.array(h.history) * gains).sum())
    regret = float(gains.sum(axis=0).max()) - expected
    n = 3
    bound = (
        math.log(n) / learning_rate + learning_rate * T / 8
        if learning_rate
        else 2 * math.sqrt(T * math.log(n) / 2) + math.sqrt(math.log(n) / 8)
    )
    assert regret <= bound < 0.03 * T  # (the bounds are far below the trivial T)


def test_hedge_learns_the_best_response_to_a_biased_opponent():
    m = play_match(RPS, [Hedge(learning_rate=0.1), strategies.get("cycler", pattern="RRS")], turns=2000, seed=3)
    # against R,R,S (R 2/3): Paper earns 2/3·1 − 1/3 = 1/3, Rock 1/3·1 = 1/3 ... Paper and Rock tie;
    # Scissors earns 1/3·0 − 2/3 < 0, so Hedge stops playing S.
    assert (m.actions[1000:, 0] == 2).mean() < 0.01


@pytest.mark.slow
# ---------------------------------------------------------------- regret matching
@pytest.mark.parametrize("seed", [0, 1])
def test_regret_matching_internal_regret_shrinks_on_rock_paper_scissors(seed):
    """Hart & Mas-Colell (2000), Main Theorem: if both players use regret matching, every
    player's conditional regret max_{j,k} D_t(j,k) → 0 a.s. (the empirical joint play approaches
    the correlated equilibria). On RPS it falls from ~0.2–0.6 after 100 rounds to ≤ 0.1 after
    40000 (rate ~ t^{-1/2}·const observed here)."""
    m = play_match(RPS, [RegretMatching(), RegretMatching()], turns=40_000, seed=seed)
    early = internal_regret(RPS, m.actions[:1000]).max()
    late = internal_regret(RPS, m.actions).max()
    assert late < 0.1
    assert late < early / 2
    # a player that never adapts (always R) against regret matching keeps a large regret
    m = play_match(RPS, ["regret_matching", strategies.get("fixed", action="R")], turns=5000, seed=seed)
    reg = internal_regret(RPS, m.actions)
    assert reg[0] < 0.05 and reg[1] > 0.9


def test_unconditional_regret_matching_is_hannan_consistent():
    m = play_match(RPS, [RegretMatching(variant="unconditional")] * 2, turns=20_000, seed=0)
    early = external_regret(RPS, m.actions[:200]).max()
    late = external_regret(RPS, m.actions).max()
    assert late < 0.02 and late < early / 4


@pytest.mark.slow
def test_learners_play_any_number_of_players_and_actions():
    """3 players with 2, 3 and 4 actions and random payoffs: every learner plays valid
    actions; regret matching's regrets shrink for every seat."""
    rng = np.random.default_rng(0)
    game = Game(rng.uniform(-1, 1, size=(2, 3, 4, 3)))
    for cls in (FictitiousPlay, Hedge, RegretMatching):
        m = play_match(game, [cls(), cls(), cls()], turns=300, seed=1)
        assert m.actions.shape == (300, 3)
        assert all(m.actions[:, i].max() < n for i, n in enumerate(game.n_actions))
    m = play_match(game, [RegretMatching() for _ in range(3)], turns=20_000, seed=2)
    assert internal_regret(game, m.actions).max() < 0.05
    m = play_match(game, [FictitiousPlay(beliefs="independent")] + ["random"] * 2, turns=3000, seed=2)
    assert external_regret(game, m.actions)[0] < 0.02


def test_regret_helpers_by_hand():
    # rounds (R, P), (P, P)
    acts = np.array([[0, 1], [1, 1]])
    # player 0: realized -1 + 0 = -1; best fixed vs (P, P) is S: 1 + 1 = 2 → (2 - (-1))/2.
    # player 1: realized 1 + 0 = 1; best fixed vs (R, P) is P itself (S: -1 + 1, R: 0 - 1) → 0
    np.testing.assert_allclose(external_regret(RPS, acts), [1.5, 0.0])
    # internal: "play S whenever you played R" gains 2 in round 0, "S for P" gains 1: max 2/2
    np.testing.assert_allclose(internal_regret(RPS, acts)[0], 1.0)


# ---------------------------------------------------------------- errors
def test_parameter_errors():
    with pytest.raises(ValueError, match="beliefs must be one of"):
        FictitiousPlay(beliefs="bayes")
    with pytest.raises(ValueError, match="ties must be one of"):
        FictitiousPlay(ties="last")
    with pytest.raises(ValueError, match="learning_rate"):
        Hedge(learning_rate=0)
    with pytest.raises(ValueError, match="variant must be one of"):
        RegretMatching(variant="internal")


def test_scenario_rejects_too_little_inertia(tmp_path):
    path = tmp_path / "rm.toml"
    path.write_text(
        'name = "rm"\n[game]\nname = "rock_paper_scissors"\n[tournament]\nturns = 5\nself_play = true\n'
        '[[entrants]]\nstrategy = "regret_matching"\nparams = { inertia = 1.0 }\n'
    )
    with pytest.raises(ScenarioError, match=r"inertia=1.0 is below .* = 4"):
        load_scenario(path)
