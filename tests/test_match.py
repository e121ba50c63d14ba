"""The match engine: simultaneity, shared random number, noise, lengths, seeds, views, errors."""

import numpy as np
import pytest

import strategies
from strategies import Strategy
from tournament import StrategyError, games, play_match
from tournament.engine.match import MatchModel

PD = games.get("prisoners_dilemma")


class Recorder(Strategy):
    """Records what it saw; plays C then copies the opponent."""

    stochastic = True

    def reset(self, view):
        self.seen_xi = []
        self.seen_rounds = []
        self.saw_current_round_of_other = False

    def choose(self, view):
        self.seen_xi.append(view.xi)
        self.seen_rounds.append(view.round)
        # the history never contains the current round: simultaneous moves
        if len(view.actions) != view.round:
            self.saw_current_round_of_other = True
        self.expose("xi", view.xi)
        last = view.last_actions
        return 0 if last is None else last[1 - view.seat]


def test_shared_random_number_is_the_same_for_all_seats_and_traced():
    a, b = Recorder(), Recorder()
    m = play_match(PD, [a, b], turns=50, seed=5)
    assert a.seen_xi == b.seen_xi
    assert len(set(a.seen_xi)) == 50 and all(0 <= x < 1 for x in a.seen_xi)
    assert a.seen_rounds == list(range(50))
    assert not a.saw_current_round_of_other
    assert np.array_equal(m.traces[0]["xi"], np.array(a.seen_xi))


def test_views_are_read_only():
    class Vandal(Strategy):
        def choose(self, view):
            if view.round > 0:
                view.actions[0, 0] = 1
            return 0

    with pytest.raises(StrategyError, match="ValueError.*read-only"):
        play_match(PD, [Vandal(), "always_cooperate"], turns=3, seed=0)

    class Vandal2(Strategy):
        def choose(self, view):
            view.game.payoffs[0, 0, 0] = 100
            return 0

    with pytest.raises(StrategyError, match="read-only"):
        play_match(PD, [Vandal2(), "always_cooperate"], turns=3, seed=0)

    class Vandal3(Strategy):
        def choose(self, view):
            view.round = 5
            return 0

    with pytest.raises(StrategyError, match="AttributeError"):
        play_match(PD, [Vandal3(), "always_cooperate"], turns=3, seed=0)


def test_view_contents():
    class Checker(Strategy):
        def choose(self, view):
            t = view.round
            assert view.my_actions.shape == (t,)
            assert view.payoffs.shape == (t,)
            assert view.others_actions.shape == (t, 1)
            if t:
                assert view.last_payoff == view.payoffs[-1]
                assert view.counts().sum() == t and view.counts(1 - view.seat).sum() == t
                assert view.last_actions == tuple(view.actions[-1])
            return t % 2

    m = play_match(PD, [Checker(), "tit_for_tat"], turns=20, seed=0)
    assert m.payoffs[:, 0].tolist() == [PD.payoffs[tuple(r)][0] for r in m.actions]


def test_payoffs_and_means_are_exact():
    m = play_match(PD, ["tit_for_tat", "alternator"], turns=10, seed=0)
    assert m.payoffs[:, 0].tolist() == [2, 0, 3, 0, 3, 0, 3, 0, 3, 0]
    assert m.mean_payoffs.tolist() == pytest.approx([1.4, 1.7])


def test_noise_flips_at_the_stated_rate_and_players_see_noisy_actions():
    m = play_match(PD, ["always_cooperate", "tit_for_tat"], turns=20000, seed=1, noise=0.1)
    flips = (m.actions[:, 0] == 1).mean()
    assert abs(flips - 0.1) < 4 * np.sqrt(0.09 / 20000)
    # tit-for-tat reacts to the (noisy) action it saw, unless its own move was flipped
    copied = (m.actions[1:, 1] == m.actions[:-1, 0]).mean()
    assert abs(copied - 0.9) < 0.01


def test_noise_picks_uniformly_among_other_actions():
    rps = games.get("rock_paper_scissors")
    m = play_match(
        rps, [strategies.get("fixed", action="R"), strategies.get("fixed", action="R")], turns=20000, seed=2, noise=0.3
    )
    counts = np.bincount(m.actions[:, 0], minlength=3) / 20000
    assert counts == pytest.approx([0.7, 0.15, 0.15], abs=0.015)


def test_prob_end_lengths_are_geometric():
    lengths = [play_match(PD, ["tit_for_tat", "tit_for_tat"], prob_end=0.05, seed=s).turns for s in range(400)]
    assert min(lengths) >= 1
    assert abs(np.mean(lengths) - 20) < 4 * np.sqrt(380 / 400)  # var of geometric = (1-p)/p^2
    capped = play_match(PD, ["tit_for_tat", "tit_for_tat"], prob_end=1e-6, turns=30, seed=0)
    assert capped.turns == 30


def test_seed_reproducibility_and_seat_independence():
    a = play_match(PD, ["random", "random"], turns=100, seed=9, noise=0.05)
    b = play_match(PD, ["random", "random"], turns=100, seed=9, noise=0.05)
    c = play_match(PD, ["random", "random"], turns=100, seed=10, noise=0.05)
    assert np.array_equal(a.actions, b.actions)
    assert not np.array_equal(a.actions, c.actions)
    # the two seats have independent private generators
    assert not np.array_equal(a.actions[:, 0], a.actions[:, 1])


def test_same_instance_twice_is_cloned():
    tft = strategies.get("tit_for_tat")
    m = play_match(PD, [tft, tft], turns=3, seed=0)
    assert m.strategies[0] is tft and m.strategies[1] is not tft


def test_invalid_action_and_exception_are_reported_with_context():
    class Bad(Strategy):
        name = "bad_one"

        def choose(self, view):
            return 7 if view.round == 3 else "C"

    with pytest.raises(StrategyError) as err:
        play_match(PD, ["tit_for_tat", Bad()], turns=10, seed=0, match_id=42)
    e = err.value
    assert (e.strategy, e.seat, e.match_id, e.round) == ("bad_one", 1, 42, 3)
    assert "invalid action 7" in str(e) and "['C', 'D']" in str(e)

    class Boom(Strategy):
        def choose(self, view):
            if view.round == 2:
                raise ZeroDivisionError("oops")
            return "D"

    with pytest.raises(StrategyError, match=r"seat 0, round 2: choose raised ZeroDivisionError: oops"):
        play_match(PD, [Boom(), "grim"], turns=5, seed=0)


def test_labels_and_numpy_integers_are_accepted():
    class Lab(Strategy):
        def choose(self, view):
            return np.int64(1) if view.round % 2 else "C"

    m = play_match(PD, [Lab(), "always_cooperate"], turns=4, seed=0)
    assert m.actions[:, 0].tolist() == [0, 1, 0, 1]
    with pytest.raises(StrategyError, match="invalid action True"):
        play_match(PD, [type("B", (Strategy,), {"choose": lambda self, v: True})(), "grim"], turns=2, seed=0)


def test_match_model_is_a_mesa_model_with_seat_agents():
    import mesa

    model = MatchModel(PD, [strategies.get("tit_for_tat"), strategies.get("grim")], turns=5, seed=0)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == 2 and all(isinstance(a, mesa.Agent) for a in model.agents)
    model.step()
    model.step()
    assert model.steps == 2 and model.round == 2
    res = model.run()
    assert res.turns == 5 and model.steps == 5


def test_three_player_match():
    g = games.get("stag_hunt", players=3)
    m = play_match(g, ["always_cooperate", "always_cooperate", "always_defect"], turns=3, seed=0)
    assert m.payoffs.tolist() == [[0, 0, 1]] * 3


def test_histories_grow_instead_of_preallocating_for_prob_end():
    model = MatchModel(PD, [strategies.get("tit_for_tat"), strategies.get("grim")], prob_end=1e-9, seed=0)
    assert model.turns > 10**6  # a very long match ...
    assert all(a.history._cap <= 1024 for a in model.seats) and len(model._record) == 0  # ... allocates little
    for _ in range(3000):
        model.step()
    assert all(3000 <= a.history._cap <= 6000 for a in model.seats)
    assert model.result().actions.shape == (3000, 2)


def test_actions_are_stored_compactly():
    m = play_match(PD, ["tit_for_tat", "alternator"], turns=10, seed=0)
    assert m.actions.dtype == np.uint8 and m.payoffs.dtype == np.float64
    big = games.Game(np.zeros((300, 2, 2)), name="wide")
    m = play_match(big, [strategies.get("fixed", action=299), strategies.get("fixed", action=1)], turns=4, seed=0)
    assert m.actions.dtype == np.uint16 and m.actions.tolist() == [[299, 1]] * 4
