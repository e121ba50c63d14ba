"""Strategy traces: one entry per round (NaN or masked where not exposed), values in the round
they belong to, and values that cannot be stored rejected when exposed, with context."""

import math

import numpy as np
import pytest

from strategies import Strategy
from tournament import StrategyError, games, play_match, run_scenario
from tournament.output.outputs import read_rounds

PD = games.get("prisoners_dilemma")


class EvenRounds(Strategy):
    """Exposes a number in even rounds only, a label every third round, and in observe the
    action it just played."""

    stochastic = False

    def reset(self, view):
        self.expose("level", -1.0)  # round 0's value until choose replaces it

    def choose(self, view):
        if view.round % 2 == 0:
            self.expose("level", float(view.round) / 10)
        if view.round % 3 == 0:
            self.expose("label", f"r{view.round}")
        return view.round % 2

    def observe(self, view):
        self.expose("played", int(view.my_actions[-1]))
        self.expose("vector", np.array([view.round - 1, view.last_payoff]))


def test_traces_are_aligned_to_rounds():
    m = play_match(PD, [EvenRounds(), "tit_for_tat"], turns=7, seed=1)
    tr = m.traces[0]
    assert set(tr) == {"level", "label", "played", "vector"}
    assert all(len(v) == 7 for v in tr.values())
    level = tr["level"]
    assert level[::2].tolist() == [0.0, 0.2, 0.4, 0.6]  # round 0's choose replaced the reset value
    assert np.isnan(level[1::2]).all()
    # exposed in observe: the round just played
    assert tr["played"].tolist() == m.actions[:, 0].tolist() and tr["played"].dtype.kind == "i"
    assert tr["vector"].shape == (7, 2) and tr["vector"][:, 0].tolist() == list(range(7))
    assert tr["vector"][:, 1].tolist() == m.payoffs[:, 0].tolist()
    # a text trace with gaps is a masked array
    label = tr["label"]
    assert isinstance(label, np.ma.MaskedArray)
    assert label.mask.tolist() == [False, True, True, False, True, True, False]
    assert label.compressed().tolist() == ["r0", "r3", "r6"]


def test_a_value_exposed_twice_in_a_round_keeps_the_last():
    class Twice(Strategy):
        def choose(self, view):
            self.expose("x", 1)
            self.expose("x", 2)
            return 0

    m = play_match(PD, [Twice(), "tit_for_tat"], turns=4, seed=0)
    assert m.traces[0]["x"].tolist() == [2, 2, 2, 2]


def test_aligned_traces_reach_rounds_npz(tmp_path):
    sc = {
        "name": "t",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 9},
        "report": {"plots": False},
        "entrants": [{"strategy": EvenRounds, "name": "even"}, {"strategy": "grim"}],
    }
    run_scenario(sc, out=tmp_path)
    data = read_rounds(tmp_path / "rounds.npz")[0]
    assert len(data["s0.level"]) == 9 and np.isnan(data["s0.level"][1])
    assert data["s0.label"].tolist() == ["r0", "", "", "r3", "", "", "r6", "", ""]


class Exposer(Strategy):
    stochastic = False

    def __init__(self, what: str = "lambda", at: int = 3):
        self.what = what
        self.at = at

    def choose(self, view):
        if view.round == self.at:
            value = {
                "lambda": lambda: 0,
                "generator": (i for i in range(3)),
                "ragged": [[1, 2], [3]],
                "dict": {"a": 1},
                "shape": [1.0, 2.0, 3.0],
                "text": "high",
            }[self.what]
        else:
            value = [1.0, 2.0] if self.what == "shape" else 1.0
        self.expose("state", value)
        return 0


@pytest.mark.parametrize(
    "what, needle",
    [
        ("lambda", "a function cannot be pickled"),
        ("generator", "a generator cannot be pickled"),
        ("ragged", "ragged sequence"),
        ("dict", "a dict is not a number, string or numeric array"),
        ("shape", "this round's value has shape (3,), earlier rounds' had shape (2,)"),
        ("text", "this round's value is a text"),
    ],
)
def test_values_that_cannot_be_stored_are_rejected_when_exposed(what, needle):
    sc = {
        "name": "x",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 6},
        "report": {"plots": False},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": Exposer, "name": "exposer", "params": {"what": what}}],
    }
    with pytest.raises(StrategyError) as err:
        run_scenario(sc)
    e = err.value
    assert (e.strategy, e.seat, e.match_id, e.round) == ("exposer", 1, 0, 3)
    msg = str(e)
    assert msg.startswith("strategy 'exposer', seat 1, match 0, round 3: expose('state', ...): ")
    assert needle in msg


def test_a_rejected_value_under_forfeit_fails_the_match_cleanly(tmp_path):
    sc = {
        "name": "x",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 6, "on_error": "forfeit"},
        "report": {"plots": False},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": Exposer, "name": "exposer"}],
    }
    r = run_scenario(sc, out=tmp_path)
    assert r.matches["status"].tolist() == ["failed"] and "cannot be pickled" in r.matches["error"].iloc[0]
    assert (tmp_path / "summary.json").exists() and not (tmp_path / ".checkpoint").exists()


def test_bad_keys_are_rejected():
    s = Strategy()
    for key in ("", "a/b", 3, "x" * 101):
        with pytest.raises(StrategyError, match="trace key"):
            s.expose(key, 1.0)
    s.expose("fine key.1", None)  # None: no value this round
    assert s.collect_traces() == {}


def test_no_rounds_no_values():
    m = play_match(PD, [EvenRounds(), "grim"], turns=0, seed=0)
    assert m.traces[0]["level"].shape == (0,) and math.isfinite(len(m.traces[0]))
