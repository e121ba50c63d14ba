"""A strategy cannot corrupt results: read-only memory it cannot flag writable, its own copy
of an immutable game, a read-only seat, and an engine record it cannot reach (issue 15, item 5)."""

import numpy as np
import pytest

import strategies
from strategies import Strategy
from tournament import StrategyError, games, play_match, run_scenario
from tournament.game import Game

PD = games.get("prisoners_dilemma")


def _arrays(view):
    return {
        "actions": view.actions,
        "my_actions": view.my_actions,
        "actions_of": view.actions_of(0),
        "payoffs": view.payoffs,
        "counts": view.counts(),
        "game.payoffs": view.game.payoffs,
        "game.payoff_vectors": view.game.payoff_vectors,
        "game.profile_array": view.game.profile_array,
        "game.strides": view.game.strides,
    }


def test_no_array_a_strategy_can_reach_can_be_flagged_writable():
    failures = []

    class Prober(Strategy):
        def choose(self, view):
            if view.round == 3:
                for name, arr in _arrays(view).items():
                    try:
                        arr.setflags(write=True)
                        failures.append(f"{name}: setflags(write=True) succeeded")
                    except ValueError:
                        pass
                    try:
                        arr[...] = 0
                        failures.append(f"{name}: written")
                    except ValueError:
                        pass
            return 0

    play_match(PD, [Prober(), "tit_for_tat"], turns=6, seed=0)
    assert failures == []


def test_flagging_the_game_table_writable_fails_inside_a_match():
    class Cheat(Strategy):
        def choose(self, view):
            view.game.payoffs.setflags(write=True)
            view.game.payoffs[...] = 1000
            return 0

    with pytest.raises(StrategyError, match="ValueError.*WRITEABLE"):
        play_match(PD, [Cheat(), "always_cooperate"], turns=3, seed=0)


class GameVandal(Strategy):
    """Plays C, and tries every way to change the game it sees."""

    stochastic = False

    def choose(self, view):
        g = view.game
        for attr in ("payoffs", "actions", "name"):
            try:
                setattr(g, attr, None)
            except AttributeError:
                pass
        # reaching into the instance dict changes only this seat's own copy
        vars(g)["payoffs"] = np.full_like(g.payoffs, 1000.0)
        vars(g)["payoff_vectors"] = np.full_like(g.payoff_vectors, 1000.0)
        g.params["R"] = 1000
        try:
            g._index[0]["C"] = 1
        except TypeError:
            pass
        return 0


def test_a_strategy_cannot_change_the_game_of_other_seats_or_matches():
    before = PD.payoffs.copy()
    m = play_match(PD, [GameVandal(), "tit_for_tat"], turns=5, seed=0)
    assert m.payoffs.tolist() == [[2.0, 2.0]] * 5
    assert np.array_equal(PD.payoffs, before) and PD.params.get("R") == 2
    with pytest.raises(AttributeError, match="immutable"):
        PD.payoffs = None

    seen = []

    class Looker(Strategy):
        def choose(self, view):
            seen.append(float(view.game.payoffs[0, 0, 0]))
            return 0

    play_match(PD, [GameVandal(), Looker()], turns=3, seed=0)
    play_match(PD, [Looker(), "tit_for_tat"], turns=2, seed=0)
    assert seen == [2.0] * 5


@pytest.mark.slow
def test_tampering_with_the_game_changes_no_tournament_result_whatever_the_worker_count(tmp_path):
    def scenario(vandal: bool) -> dict:
        first = {"strategy": GameVandal} if vandal else {"strategy": "always_cooperate", "name": "GameVandal"}
        return {
            "name": "t",
            "seed": 3,
            "game": {"name": "prisoners_dilemma"},
            "tournament": {"turns": 20, "repetitions": 2, "noise": 0.1},
            "entrants": [first, {"strategy": "tit_for_tat"}, {"strategy": "grim"}],
            "report": {"plots": False},
        }

    honest = run_scenario(scenario(False)).matches
    for workers in (1, 2):
        res = run_scenario(scenario(True), workers=workers).matches
        cols = [c for c in honest.columns if c.startswith(("payoff_", "turns", "settled"))]
        assert res[cols].equals(honest[cols])


class RecordForger(Strategy):
    """Plays D, and rewrites everything it can reach of its history to look like a huge win."""

    def choose(self, view):
        h = view._h
        h.last_payoffs = (1000.0, 1000.0)
        h.t = view.round  # harmless
        if view.round:
            own = np.frombuffer(h._buf, dtype=h._dtype)  # its own copy, written through the buffer
            own[:] = 0
            view.payoffs  # noqa: B018 - makes its history derive own payoffs, then forges them
            h._pay_w[:] = 1000.0
            h._cnt[:] = 0
        return 1


def test_a_strategy_cannot_alter_the_engine_record_of_actions_or_payoffs():
    seen_by_opponent = []

    class Opponent(Strategy):
        def choose(self, view):
            seen_by_opponent.append(view.actions.copy())
            return 0

    m = play_match(PD, [RecordForger(), Opponent()], turns=30, seed=0)
    assert m.actions[:, 0].tolist() == [1] * 30  # what it really played
    assert m.payoffs.tolist() == [[3.0, 0.0]] * 30
    assert m.mean_payoffs.tolist() == [3.0, 0.0]
    # the opponent saw the truth every round
    assert all(a[:, 0].tolist() == [1] * len(a) for a in seen_by_opponent)


def test_seat_and_game_of_a_view_are_read_only():
    class SeatThief(Strategy):
        def choose(self, view):
            view.seat = 1 - view.seat
            return 0

    with pytest.raises(StrategyError, match="AttributeError"):
        play_match(PD, [SeatThief(), "always_cooperate"], turns=2, seed=0)

    class GameSwapper(Strategy):
        def choose(self, view):
            view.game = games.get("axelrod_pd")
            return 0

    with pytest.raises(StrategyError, match="AttributeError"):
        play_match(PD, [GameSwapper(), "always_cooperate"], turns=2, seed=0)


def test_each_seat_sees_an_equal_but_separate_game():
    games_seen = []

    class Keep(Strategy):
        def choose(self, view):
            games_seen.append(view.game)
            return 0

    play_match(PD, [Keep(), Keep()], turns=1, seed=0)
    a, b = games_seen
    assert a == b == PD and a is not b and a is not PD
    assert isinstance(a, Game) and a.payoffs is PD.payoffs  # immutable memory is shared, not copied


def test_security_strategy_results_cannot_be_poisoned():
    rps = games.get("rock_paper_scissors")
    v, x = rps.security_strategy(0)
    x[:] = [1, 0, 0]  # the caller gets a copy
    assert np.allclose(rps.security_strategy(0)[1], 1 / 3)
    m = play_match(rps, ["maximin", "maximin"], turns=300, seed=1)
    assert set(np.unique(m.actions[:, 0]).tolist()) == {0, 1, 2}


def test_strategies_get_the_real_game_classes():
    """The isolated copy behaves like the game (derived facts, pickling)."""
    import pickle

    c = PD.isolated_copy()
    assert c.pure_nash_equilibria == PD.pure_nash_equilibria and c.is_symmetric
    back = pickle.loads(pickle.dumps(c))
    assert back == PD
    with pytest.raises(ValueError):
        back.payoffs.setflags(write=True)
    assert strategies.get("tit_for_tat") is not None
