"""Match attributes every strategy sees: ``view.turns`` (the length of a fixed-length match,
None with ``prob_end`` or ``[tournament] reveal_length = false``) and ``view.noise``."""

import textwrap

import numpy as np
import pytest

from strategies import Strategy
from tournament import ScenarioError, games, load_scenario, play_match, run_scenario

PD = games.get("prisoners_dilemma")


class HorizonAware(Strategy):
    """Cooperates, but defects in the last ``k`` rounds of a match whose length it knows
    (a strategy that needs ``view.turns``); records what it saw."""

    name = "horizon_aware"
    stochastic = False

    def __init__(self, k: int = 2):
        self.k = k

    def reset(self, view):
        self.seen = []

    def choose(self, view):
        self.seen.append((view.round, view.turns, view.noise))
        if view.turns is not None and view.round >= view.turns - self.k:
            return 1
        return 0


def seen(result, seat=0):
    return result.strategies[seat].seen


def test_fixed_length_is_revealed_every_round_and_used():
    r = play_match(PD, [HorizonAware(k=3), "always_cooperate"], turns=12, seed=1)
    assert seen(r) == [(t, 12, 0.0) for t in range(12)]
    assert "".join(PD.actions[0][a] for a in r.actions[:, 0]) == "C" * 9 + "D" * 3


def test_prob_end_length_is_unknown_even_with_a_turns_cap():
    for kwargs in ({"prob_end": 0.1}, {"prob_end": 0.02, "turns": 15}):
        r = play_match(PD, [HorizonAware(), "always_cooperate"], seed=4, **kwargs)
        assert r.turns >= 1
        assert {turns for _, turns, _ in seen(r)} == {None}
        assert (r.actions[:, 0] == 0).all()  # never knows the end, never defects


def test_reveal_length_false_hides_a_fixed_length():
    r = play_match(PD, [HorizonAware(), "always_cooperate"], turns=10, seed=0, reveal_length=False)
    assert r.turns == 10 and [s[1] for s in seen(r)] == [None] * 10
    assert (r.actions[:, 0] == 0).all()


def test_view_noise_is_the_match_noise():
    r = play_match(PD, [HorizonAware(), HorizonAware()], turns=5, seed=0, noise=0.125)
    assert {s[2] for s in seen(r, 0)} == {s[2] for s in seen(r, 1)} == {0.125}


def _scenario(**tournament):
    return {
        "name": "h",
        "seed": 3,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 20, "repetitions": 2, **tournament},
        "report": {"plots": False},
        "entrants": [
            {"strategy": HorizonAware, "name": "horizon_aware"},
            {"strategy": "always_cooperate"},
            {"strategy": "tit_for_tat"},
        ],
    }


def test_scenario_reveals_the_length_by_default_and_hides_it_on_request():
    shown = run_scenario(_scenario())
    hidden = run_scenario(_scenario(reveal_length=False))
    assert shown.summary["settings"]["reveal_length"] is True
    assert hidden.summary["settings"]["reveal_length"] is False
    # against always_cooperate: (R, ..., R, T, T) when the length is known, all R when hidden
    pd_r, pd_t = PD.payoff((0, 0))[0], PD.payoff((1, 0))[0]

    def row(res):
        return res.matches[(res.matches.entrant_0 == "horizon_aware") & (res.matches.entrant_1 == "always_cooperate")]

    assert np.allclose(row(shown).payoff_0, (18 * pd_r + 2 * pd_t) / 20)
    assert np.allclose(row(hidden).payoff_0, pd_r)


def test_reveal_length_reaches_population_kinds():
    sc = _scenario(reveal_length=False, kind="ecological", generations=3)
    del sc["tournament"]["repetitions"]
    hidden = run_scenario(sc)
    shown = run_scenario({**sc, "tournament": {k: v for k, v in sc["tournament"].items() if k != "reveal_length"}})
    assert hidden.summary["settings"]["reveal_length"] is False
    # the horizon-aware type defects in the last rounds only when it is told the length
    pay = lambda res: dict(zip(res.standings.entrant, res.standings.mean_payoff))  # noqa: E731
    assert set(pay(hidden).values()) == {PD.payoff((0, 0))[0]}  # every match all-C
    assert pay(shown)["always_cooperate"] < PD.payoff((0, 0))[0]  # exploited at the end


BASE = """
name = "t"
seed = 1
[game]
name = "prisoners_dilemma"
[tournament]
turns = 10
{extra}
[[entrants]]
strategy = "tit_for_tat"
[[entrants]]
strategy = "grim"
"""


@pytest.mark.parametrize("value", ['"no"', "0", "1", '"false"', "[true]"])
def test_reveal_length_must_be_true_or_false(tmp_path, value):
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent(BASE.format(extra=f"reveal_length = {value}")))
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert err.value.key == "tournament.reveal_length" and str(p) in msg
    assert "expected true or false" in msg and "\n" not in msg


def test_reveal_length_typo_gets_a_suggestion(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent(BASE.format(extra="reveal_lenght = false")))
    with pytest.raises(ScenarioError, match="Did you mean 'reveal_length'"):
        load_scenario(p)


def test_reveal_length_loads(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent(BASE.format(extra="reveal_length = false")))
    assert load_scenario(p).match.reveal_length is False
    p.write_text(textwrap.dedent(BASE.format(extra="")))
    assert load_scenario(p).match.reveal_length is True


def test_random_matching_individuals_see_the_noise_and_no_length():
    sc = {
        "name": "rm",
        "seed": 2,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": "random_matching", "turns": 6, "noise": 0.25, "runs": 1, "population_size": 4},
        "report": {"plots": False},
        "entrants": [{"strategy": HorizonAware, "name": "horizon_aware"}, {"strategy": "always_cooperate"}],
    }
    from tournament.models.random_matching import RandomMatchingModel, context_for

    model = RandomMatchingModel(context_for(load_scenario(sc)))
    model.run_model()
    members = [m for m in model.agents if getattr(m, "type_name", None) == "horizon_aware"]
    assert members and all(m.strategy.seen for m in members)
    assert {(turns, noise) for m in members for _, turns, noise in m.strategy.seen} == {(None, 0.25)}
