"""The contract every registered strategy keeps (and a few of the Axelrod library's, wrapped):
clone/pickle/repr keep every parameter, the same seed gives the same play, a strategy that
says it is deterministic is, its summary is a full sentence, and a declared automaton plays
exactly as the strategy's own hooks. Built on :mod:`strategies.testing`.

A strategy registered without a case below is tested with its default parameters in the
prisoner's dilemma; one that cannot be built that way fails
``test_every_registered_strategy_has_a_case`` until it gets a case here.
"""

from __future__ import annotations

import importlib.util
import inspect
import re

import pytest

import strategies
from strategies import testing
from tournament import games

PD = games.get("prisoners_dilemma")
RPS = games.get("rock_paper_scissors")
SH3 = games.get("stag_hunt", players=3)

TFT_TABLE = {
    "actions": {"nice": "C", "angry": "D"},
    "transitions": {"nice": {"*,C": "nice", "*,D": "angry"}, "angry": {"*,C": "nice", "*,D": "angry"}},
}
NOISY_TABLE = {
    "actions": {"a": {"C": 0.8, "D": 0.2}, "b": "D"},
    "start": "b",
    "transitions": {"a": {"*,D": "b", "*": "a"}, "b": {"C,*": "a", "*": "b"}},
}

# name -> [(params, game)]: non-default parameters on purpose (the repr must name them)
CASES: dict[str, list[tuple[dict, object]]] = {
    "automaton": [(TFT_TABLE, PD), (NOISY_TABLE, PD)],
    "cycler": [({}, PD), ({"pattern": ["D", "C", "C"]}, PD), ({"pattern": "RPSS"}, RPS)],
    "fictitious_play": [({}, PD), ({"beliefs": "independent", "prior": 1.0, "ties": "first"}, RPS)],
    "fixed": [({"action": "D"}, PD), ({}, SH3)],
    "generous_tit_for_tat": [({}, PD), ({"p": 0.2}, PD), ({"p": 0}, PD)],
    "go_by_majority": [({}, PD), ({"memory": 3, "soft": False}, PD)],
    "hedge": [({}, RPS), ({"learning_rate": None}, PD)],
    "ib_haggler": [({}, PD), ({"max_password": 2, "max_loop": 2, "max_automaton": 2, "tie_break": "first"}, PD)],
    "maximin": [({}, RPS), ({"pure": True}, PD)],
    "random": [({}, RPS), ({"p": 0.3}, PD), ({"p": 1}, PD)],
    "regret_matching": [({}, PD), ({"variant": "unconditional", "inertia": 10.0}, RPS)],
    "softmax_switcher": [({}, SH3), ({"alpha": 2.0, "u_min": -1.0}, PD)],
    "tit_for_tat": [({}, PD), ({"cooperate": "D", "defect": "C"}, PD), ({}, SH3)],
    "win_stay_lose_shift": [({}, PD), ({}, SH3)],
}
# (name, params, deterministic?): importing axelrod takes seconds, so it is not built to find out
AXELROD = [
    ("axelrod:TitForTat", {}, True),
    ("axelrod:Random", {"p": 0.3}, False),
    ("axelrod:GoByMajority", {"memory_depth": 5}, True),
]
HAS_AXELROD = importlib.util.find_spec("axelrod") is not None


def _cases():
    out = []
    for name in strategies.names():
        for i, (params, game) in enumerate(CASES.get(name, [({}, PD)])):
            out.append(pytest.param(name, params, game, id=f"{name}-{i}-{game.name}"))
    return out


def _axelrod_cases(deterministic_only=False):
    return [
        pytest.param(
            name,
            params,
            PD,
            id=name,
            marks=pytest.mark.skipif(not HAS_AXELROD, reason="the Axelrod library is not installed"),
        )
        for name, params, det in AXELROD
        if det or not deterministic_only
    ]


OURS = _cases()
ALL = OURS + _axelrod_cases()


def build(name, params):
    return strategies.build(name, params)


def test_every_registered_strategy_has_a_case():
    for name in strategies.names():
        for params, game in CASES.get(name, [({}, PD)]):
            try:
                s = strategies.build(name, params)
                testing.versus(s, *[testing.random_script(game, 1)] * (game.n_players - 1), game=game, turns=2)
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"{name} cannot be built with {params} and play {game.name} ({exc}): add a case to CASES")


@pytest.mark.parametrize("name,params,game", ALL)
def test_clone_pickle_and_repr_keep_every_parameter(name, params, game):
    s = build(name, params)
    for key, value in params.items():  # the parameters given are the ones reported
        assert s.get_params()[key] == value
    if name.startswith("axelrod:"):
        _axelrod_round_trip(s, game)
    else:
        testing.assert_clone_round_trip(s, game=game, pickled=True)


def _axelrod_round_trip(s, game):
    # the adapter's repr ("axelrod:Random(p=0.3)") names its parameters but is not Python
    params = s.get_params()
    assert s.clone().get_params() == params
    assert all(f"{k}={v!r}" in repr(s) for k, v in params.items())
    seated = testing.versus(s, s, game=game, turns=1).strategies
    assert seated[1] is not s and seated[1].get_params() == params


@pytest.mark.parametrize("name,params,game", ALL)
def test_same_seed_same_play(name, params, game):
    testing.assert_reproducible(build(name, params), game=game, turns=40, noise=0.05, seed=5)


DETERMINISTIC = [c for c in OURS if not build(*c.values[:2]).is_stochastic] + _axelrod_cases(deterministic_only=True)


@pytest.mark.parametrize("name,params,game", DETERMINISTIC)
def test_a_strategy_that_says_it_is_deterministic_is(name, params, game):
    assert not build(name, params).is_stochastic
    testing.assert_deterministic(build(name, params), game=game, turns=40, seeds=(1, 2, 3))


def test_the_deterministic_check_catches_a_false_flag():
    class Liar(strategies.Strategy):
        """Says it is deterministic but plays from its generator."""

        stochastic = False

        def choose(self, view):
            return int(self.rng.integers(2))

    with pytest.raises(AssertionError, match="says it is deterministic"):
        testing.assert_deterministic(Liar())

    class XiReader(strategies.Strategy):
        """Says it is deterministic but follows the shared random number."""

        stochastic = False

        def choose(self, view):
            return "C" if view.xi < 0.5 else "D"

    with pytest.raises(AssertionError, match="says it is deterministic"):
        testing.assert_deterministic(XiReader())


@pytest.mark.parametrize("name,params,game", OURS)
def test_a_declared_automaton_plays_as_the_hooks(name, params, game):
    # test_batch.py pits the classics' automata against each other; here every registered
    # declaration meets random histories, in every seat, with noise
    s = build(name, params)
    declared = testing.assert_automaton_agrees(s, game=game, turns=40, noise=0.1, seed=3)
    assert declared == any(s.automaton(game, seat, 40) is not None for seat in range(game.n_players))


ABBREVIATIONS = {
    "e.g.",
    "i.e.",
    "cf.",
    "vs.",
    "al.",
    "approx.",
    "resp.",
    "w.p.",
    "eq.",
    "fig.",
    "no.",
    "sec.",
    "ch.",
    "p.",
    "pp.",
    "etc.)",
    "ca.",
}


@pytest.mark.parametrize("name", strategies.names())
def test_summary_is_a_full_sentence(name):
    cls = strategies.registered()[name]
    summary = cls.summary()
    first_paragraph = " ".join((inspect.getdoc(cls) or "").split("\n\n", 1)[0].split())
    assert len(summary.split()) >= 3, summary
    assert summary[0].isupper() or summary[0].isdigit(), summary
    assert summary.endswith("."), f"{name}: the summary {summary!r} does not end with a period"
    assert first_paragraph.startswith(summary)
    rest = first_paragraph[len(summary) :]
    assert rest == "" or rest.startswith(" "), f"{name}: the summary is cut inside a word: {summary!r}"
    last = summary.split()[-1].lower()
    assert last not in ABBREVIATIONS and not re.fullmatch(r"[a-z]\.", last), (
        f"{name}: the summary {summary!r} is cut at an abbreviation"
    )
    for left, right in ("()", "[]", "{}"):
        assert summary.count(left) == summary.count(right), f"{name}: unbalanced {left}{right} in {summary!r}"
    assert summary.count('"') % 2 == 0 and summary.count("`") % 2 == 0, summary
