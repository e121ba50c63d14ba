"""The strategy author's kit: constructor arguments kept by clone/pickle/repr, the view's label
helpers, the test harness of ``strategies.testing`` (and that its checks catch what they
promise to), and the code of README's "Write your own strategy" section and of
docs/strategies.md, which must run as written."""

from __future__ import annotations

import os
import pickle
import random as stdlib_random
import re
import textwrap
import tomllib
from pathlib import Path

import pytest

import strategies
import tournament
from strategies import MatchView, Strategy, testing
from strategies.testing import assert_plays, versus
from tournament import StrategyError, games, play_match

ROOT = Path(__file__).resolve().parent.parent
PD = games.get("prisoners_dilemma")
SH = games.get("stag_hunt")
SH3 = games.get("stag_hunt", players=3)


def moves(m, seat: int) -> str:
    return "".join(row[seat] for row in m.action_labels())


# ---------------------------------------------------------------------- parameters
class Renamed(Strategy):
    """Defects for `punish` rounds after each defection, keeping the count under another name."""

    stochastic = False

    def __init__(self, punish: int = 2, first: str = "C"):
        self.n = punish
        self.opening = first

    def reset(self, view):
        self.left = 0

    def choose(self, view):
        if view.round == 0:
            return self.opening
        if self.left:
            self.left -= 1
            return "D"
        return "C"

    def observe(self, view):
        if view.opponent_last == "D":
            self.left = self.n


class Sub(Renamed):
    """A subclass that passes its parameters up positionally."""

    def __init__(self, punish: int = 2, first: str = "C", extra: float = 0.5):
        super().__init__(punish, first)
        self.bonus = extra


def test_a_parameter_stored_under_another_name_survives_clone_and_self_play():
    s = Renamed(punish=5, first="D")
    assert repr(s) == "Renamed(punish=5, first='D')"
    assert s.get_params() == {"punish": 5, "first": "D"}
    c = s.clone()
    assert (c.n, c.opening) == (5, "D") and c is not s
    m = play_match(PD, [s, s], turns=8, seed=0, engine="python")
    assert [p.n for p in m.strategies] == [5, 5] and m.strategies[1] is not s
    # seat 1 opens with D too (with the default it would open with C), so both punish for ever
    assert [moves(m, j) for j in (0, 1)] == ["DDDDDDDD"] * 2
    assert_plays(s.clone(), ["D"] + ["C"] * 7, "DDDDDDCC")  # five rounds after the one seen: n is 5
    u = pickle.loads(pickle.dumps(s))
    assert u.get_params() == {"punish": 5, "first": "D"} and u.clone().n == 5
    testing.assert_clone_round_trip(s)


def test_positional_arguments_subclasses_and_reassignment():
    s = Renamed(4)
    assert s.get_params() == {"punish": 4, "first": "C"} and repr(s) == "Renamed(punish=4)"
    t = Sub(3, "D", extra=0.25)  # Sub passes punish and first up positionally: Sub's call is the one kept
    assert t.get_params() == {"punish": 3, "first": "D", "extra": 0.25}
    assert t.clone().get_params() == t.get_params() and t.clone().n == 3
    # an attribute of the parameter's own name, reassigned after construction, is the parameter
    t.bonus = 0.9  # not the parameter's name: ignored
    assert t.get_params()["extra"] == 0.25
    g = strategies.get("go_by_majority", memory=3)
    g.memory = 7
    assert g.get_params()["memory"] == 7 and g.clone().memory == 7
    # a same-named attribute that __init__ normalised is not mistaken for a reassignment
    cyc = strategies.get("cycler", pattern="CD")
    assert cyc.clone().get_params()["pattern"] == "CD"


def test_a_normalised_parameter_survives_pickling():
    class Scaled(Strategy):
        """Keeps its rate doubled under the parameter's own name."""

        def __init__(self, rate: float = 0.5):
            self.rate = rate * 2.0

        def choose(self, view):
            return 0

    s = Scaled(rate=0.3)
    copy = _unpickled_like(s)
    assert copy.rate == 0.6 and copy.rate is not s.rate
    assert copy.get_params() == {"rate": 0.3} and copy.clone().rate == 0.6


def _unpickled_like(s):
    # a class defined in a test cannot be pickled by reference: copy its state as pickle would
    # (numbers and strings come back as new objects)
    new = object.__new__(type(s))
    new.__dict__.update(pickle.loads(pickle.dumps(s.__dict__)))
    return new


def test_star_args_and_kwargs_are_kept():
    class Flexible(Strategy):
        """Keeps whatever it is given."""

        def __init__(self, *moves, start="C", **options):
            self.moves, self.start, self.options = moves, start, options

        def choose(self, view):
            return self.start

    f = Flexible("C", "D", start="D", depth=3)
    assert f.get_params() == {"start": "D", "depth": 3}
    c = f.clone()
    assert (c.moves, c.start, c.options) == (("C", "D"), "D", {"depth": 3})


def test_an_instance_built_without_init_falls_back_to_its_attributes():
    s = object.__new__(Renamed)
    s.__dict__.update(punish=6)
    assert s.get_params() == {"punish": 6, "first": "C"}


def test_builtin_constructors_still_validate_and_build():
    with pytest.raises(StrategyError, match="has no parameter 'punsh'"):
        strategies.build(Renamed, {"punsh": 3})
    with pytest.raises(StrategyError, match="rejected its parameters"):
        strategies.build("random", {"p": 2})
    h = strategies.build("ib_haggler", {"prior": "cautious", "max_loop": 2, "tie_break": "first"})
    assert h.get_params()["max_loop"] == 2 and h.clone().settings == h.settings
    assert repr(h) == "IBHaggler(prior='cautious', max_loop=2, tie_break='first')"
    assert Renamed.parameters() == {"punish": 2, "first": "C"}


def test_the_axelrod_adapter_still_builds_clones_and_pickles():
    pytest.importorskip("axelrod")
    s = strategies.build("axelrod:GoByMajority", {"memory_depth": 5})
    assert s.get_params() == {"memory_depth": 5} and repr(s) == "axelrod:GoByMajority(memory_depth=5)"
    assert s.clone().get_params() == {"memory_depth": 5}
    assert pickle.loads(pickle.dumps(s)).get_params() == {"memory_depth": 5}
    m = play_match(PD, [s, s], turns=3, seed=0)
    assert m.strategies[1].get_params() == {"memory_depth": 5}


@pytest.mark.slow
def test_a_renamed_parameter_reaches_worker_processes(tmp_path):
    (tmp_path / "mine.py").write_text(
        textwrap.dedent(f'''
        import os
        from strategies import Strategy

        class Opener(Strategy):
            """Plays `move` in every round."""
            stochastic = False

            def __init__(self, move="C"):
                self.m = move

            def reset(self, view):  # where it played
                with open({str(tmp_path / "pids")!r}, "a") as f:
                    f.write(f"{{os.getpid()}}\\n")

            def choose(self, view):
                return self.m
    ''')
    )
    scenario = {
        "name": "renamed",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 5, "repetitions": 2, "self_play": True},
        "entrants": [
            {"strategy": "mine.py:Opener", "params": {"move": "D"}, "name": "opener"},
            {"strategy": "tit_for_tat"},
        ],
        "report": {"plots": False},
    }
    r = tournament.run_scenario(scenario, workers=2, base_dir=tmp_path)
    self_play = r.matches[(r.matches["entrant_0"] == "opener") & (r.matches["entrant_1"] == "opener")]
    assert len(self_play) and (self_play["payoff_0"] == 1.0).all() and (self_play["payoff_1"] == 1.0).all()
    assert set((tmp_path / "pids").read_text().split()) - {str(os.getpid())}  # some played in a worker


# ---------------------------------------------------------------------- the view's labels
class Recorder(Strategy):
    """Records what the label helpers say every round."""

    def reset(self, view):
        self.seen = []

    def choose(self, view):
        two = view.n_players == 2
        self.seen.append(
            {
                "last": view.last_labels,
                "others": view.others_last,
                "opp": view.opponent_last if two else None,
                "hist": [view.labels_of(j).tolist() for j in range(view.n_players)],
                "own": view.labels_of().tolist(),
                "counts": [view.label_counts(j) for j in range(view.n_players)],
                "actions": view.actions.copy(),
            }
        )
        return int(self.rng.integers(view.n_actions))


@pytest.mark.parametrize("game", [PD, SH, SH3, games.get("rock_paper_scissors")])
def test_label_helpers_agree_with_the_index_history(game):
    k = game.n_players
    others = ["random"] * (k - 1)
    for seat in range(k):
        players = others[:seat] + [Recorder()] + others[seat:]
        m = play_match(game, players, turns=300, noise=0.1, seed=seat, engine="python")  # buffers grow
        labels = m.action_labels()
        rec = m.strategies[seat].seen
        for t, s in enumerate(rec):
            assert (s["actions"] == m.actions[:t]).all()
            assert s["last"] == (labels[t - 1] if t else None)
            assert s["others"] == (tuple(x for j, x in enumerate(labels[t - 1]) if j != seat) if t else None)
            if k == 2:
                assert s["opp"] == (labels[t - 1][1 - seat] if t else None)
            assert s["hist"] == [[row[j] for row in labels[:t]] for j in range(k)]
            assert s["own"] == s["hist"][seat]
            for j in range(k):
                assert s["counts"][j] == {a: sum(row[j] == a for row in labels[:t]) for a in game.actions[j]}


def test_label_helpers_by_hand():
    seen = []

    def script(view):
        seen.append(
            (view.last_labels, view.opponent_last, view.label_counts(0), view.labels_of(0).tolist(), view.opponent)
        )
        return "Rabbit" if view.round == 1 else "Stag"

    versus("alternator", script, game=SH, turns=4)
    assert seen == [
        (None, None, {"Stag": 0, "Rabbit": 0}, [], 0),
        (("Stag", "Stag"), "Stag", {"Stag": 1, "Rabbit": 0}, ["Stag"], 0),
        (("Rabbit", "Rabbit"), "Rabbit", {"Stag": 1, "Rabbit": 1}, ["Stag", "Rabbit"], 0),
        (("Stag", "Stag"), "Stag", {"Stag": 2, "Rabbit": 1}, ["Stag", "Rabbit", "Stag"], 0),
    ]


def test_the_label_history_is_read_only():
    grabbed = []

    def script(view):
        grabbed.append(view.labels_of(0))
        return "C"

    versus("tit_for_tat", script, turns=3)
    arr = grabbed[-1]
    assert arr.tolist() == ["C", "C"]
    with pytest.raises(ValueError):
        arr[0] = "D"
    with pytest.raises(ValueError):
        arr.setflags(write=True)


@pytest.mark.parametrize("what", ["opponent_last", "opponent"])
def test_opponent_helpers_say_what_to_use_with_more_players(what):
    class Asker(Strategy):
        """Asks for the opponent in a 3-player game."""

        def choose(self, view):
            getattr(view, what)
            return 0

    with pytest.raises(
        StrategyError,
        match=rf"seat 0, round 0: view\.{what} is for two-player games; "
        r"'stag_hunt' has 3 players: use view\.others",
    ):
        play_match(SH3, [Asker(), "tit_for_tat", "tit_for_tat"], turns=2, engine="python")


def test_a_bad_seat_is_named():
    class Bad(Strategy):
        """Asks for seat 5."""

        def choose(self, view):
            view.labels_of(5)
            return 0

    with pytest.raises(StrategyError, match=r"seat 5 is not a seat of this 2-player game"):
        play_match(PD, [Bad(), "tit_for_tat"], turns=1, engine="python")


def test_match_view_is_exported():
    assert strategies.MatchView is tournament.MatchView is MatchView
    for name in ("last_labels", "opponent_last", "others_last", "labels_of", "label_counts", "turns", "noise"):
        assert name in MatchView.__doc__, name


# ---------------------------------------------------------------------- the harness
def test_assert_plays_reports_the_first_difference():
    with pytest.raises(AssertionError) as err:
        assert_plays("tit_for_tat", ["C", "D", "C"], "CCCC")
    assert str(err.value) == (
        "tit_for_tat (seat 0) vs scripted CDC in prisoners_dilemma, 4 rounds, seed 0: first difference in round 2\n"
        "  expected  CCCC\n"
        "  got       CCDC\n"
        "              ^\n"
        "  round  expected  got  profile\n"
        "      0  C         C    (C,C)\n"
        "      1  C         C    (C,D)\n"
        "      2  C         D    (D,C)  <-\n"
        "      3  C         C    (C,C)"
    )


def test_assert_plays_with_profiles_labels_seats_and_more_players():
    assert_plays("tit_for_tat", ["D", "C"], [("C", "D"), ("D", "C"), ("C", "D")])
    assert_plays("tit_for_tat", ["Rabbit"], ["Stag", "Rabbit", "Rabbit"], game=SH, seat=1)
    assert_plays("tit_for_tat", ["Stag", "Rabbit"], ["Stag", "Stag", "Rabbit", "Stag"], others=[["Stag"]], game=SH3)
    with pytest.raises(
        AssertionError, match=r"first difference in round 1\n.*\n.*\n\s+1  \(Stag,Rabbit\)\s+\(Rabbit,Rabbit\)"
    ):
        assert_plays("tit_for_tat", ["Rabbit"], [("Stag", "Rabbit"), ("Stag", "Rabbit")], game=SH)
    with pytest.raises(AssertionError, match="the match ended after 3 rounds"):
        assert_plays("tit_for_tat", ["C"], "CCCC", turns=3)


def test_assert_plays_with_noise_is_reproducible():
    # noise flips recorded moves; the same seed flips the same ones
    m = versus("tit_for_tat", ["C"], turns=30, noise=0.2, seed=4)
    own = moves(m, 0)
    assert "D" in own  # some flips happened ...
    assert_plays("tit_for_tat", ["C"], own, noise=0.2, seed=4)  # ... and they repeat
    # tit-for-tat copies the opponent's recorded move unless its own move was flipped
    opp = moves(m, 1)
    flipped = sum(own[t] != opp[t - 1] for t in range(1, 30))
    assert 0 < flipped < 15


def test_scripts_and_opponents_are_checked():
    with pytest.raises(ValueError, match=r"not a string: write list\('CD'\)"):
        testing.Scripted("CD")
    with pytest.raises(ValueError, match="give 2 opponent"):
        versus("tit_for_tat", ["C"], game=SH3)
    with pytest.raises(ValueError, match="expected is empty"):
        assert_plays("tit_for_tat", ["C"], "")
    with pytest.raises(TypeError, match="neither a strategy"):
        versus("tit_for_tat", 3)


def test_reproducibility_check_catches_global_randomness():
    class Global(Strategy):
        """Draws from the random module."""

        def choose(self, view):
            return int(stdlib_random.random() < 0.5)

    with pytest.raises(AssertionError, match="a second run with seed 1 differs"):
        testing.assert_reproducible(Global())


def test_clone_check_catches_a_lost_or_hidden_parameter():
    class Forgetful(Renamed):
        """Clones itself with the defaults."""

        def clone(self):
            return type(self)()

    with pytest.raises(
        AssertionError,
        match=r"clone\(\) of Forgetful\(punish=3\) has parameters "
        r"\{'punish': 2, 'first': 'C'\}",
    ):
        testing.assert_clone_round_trip(Forgetful(punish=3))

    class Shy(Renamed):
        """Hides its parameters in the repr."""

        def __repr__(self):
            return "Shy()"

    with pytest.raises(AssertionError, match=r"repr 'Shy\(\)' does not name the parameter punish=3"):
        testing.assert_clone_round_trip(Shy(punish=3))


def test_automaton_check_catches_a_wrong_declaration():
    class Wrong(strategies.registered()["tit_for_tat"]):
        """Tit-for-tat with the automaton of suspicious tit-for-tat."""

        def automaton(self, game, seat, horizon=None):
            return strategies.get("suspicious_tit_for_tat").automaton(game, seat, horizon)

    with pytest.raises(
        AssertionError, match="its automaton plays differently from its hooks: seat 0 plays 'C' against 'D' in round 0"
    ):
        testing.assert_automaton_agrees(Wrong())
    assert testing.assert_automaton_agrees("tit_for_tat") is True
    assert testing.assert_automaton_agrees("hedge") is False


def test_random_scripts_are_seeded():
    a = testing.random_script(PD, 1, 50, seed=2)
    assert a == testing.random_script("prisoners_dilemma", 1, 50, seed=2) != testing.random_script(PD, 1, 50, seed=3)
    assert set(a) == {"C", "D"}


# ---------------------------------------------------------------------- documented code runs
def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


@pytest.mark.slow
def test_the_readme_strategy_example_runs_as_written(tmp_path, monkeypatch):
    section = _section((ROOT / "README.md").read_text(), "Write your own strategy and enter it")
    code = _blocks(section, "python")
    assert len(code) == 3 and "view.opponent_last" in code[0]
    monkeypatch.chdir(ROOT)  # the README runs from the repository's root
    ns: dict = {}
    exec(code[0], ns)  # noqa: S102 - our README
    exec(code[1], ns)  # noqa: S102 - the harness example
    run = code[2].replace('out="results/mine"', f"out={str(tmp_path / 'mine')!r}")
    assert run != code[2]
    exec(run, ns)  # noqa: S102
    m, r = ns["m"], ns["r"]
    assert m.actions.shape == (100, 2) and m.payoffs.shape == (100, 2) and len(m.mean_payoffs) == 2
    assert (tmp_path / "mine" / "report.html").exists() and "soft grudge (2)" in set(r.standings["entrant"])
    # the scenario block is the example scenario's first entrant, and its class plays as README's
    (entrant,) = tomllib.loads(_blocks(section, "toml")[0])["entrants"]
    example = tomllib.loads((ROOT / "scenarios/examples/my_strategy.toml").read_text())["entrants"][0]
    assert entrant == example
    file_cls = strategies.resolve(entrant["strategy"], ROOT / "scenarios/examples")
    for opponent in ("random", "alternator", "grim"):
        a = play_match(PD, [ns["SoftGrudge"](punish=2), opponent], turns=60, seed=3, engine="python")
        b = play_match(PD, [file_cls(**entrant["params"]), opponent], turns=60, seed=3, engine="python")
        assert a.actions.tobytes() == b.actions.tobytes()


def test_the_strategies_page_runs_as_written(monkeypatch):
    text = (ROOT / "docs/strategies.md").read_text()
    ns: dict = {}
    monkeypatch.chdir(ROOT)
    for block in _blocks(text, "python"):
        exec(block, ns)  # noqa: S102 - our docs
    assert {"SoftGrudge", "Biased", "m", "r"} <= set(ns)
    assert not ns["Biased"](p=1).is_stochastic and ns["Biased"]().is_stochastic
    assert list(ns["r"].standings["entrant"])  # the dict scenario ran
    # the failure shown on the page is the one the harness gives
    (shown,) = [b for b in _blocks(text, "text") if "AssertionError" in b]
    call, message = shown.split("\n", 1)
    with pytest.raises(AssertionError) as err:
        exec(call.removeprefix(">>> "), ns)  # noqa: S102
    assert "AssertionError: " + str(err.value) == message.rstrip("\n")
    # every name the page lists for the view exists
    for name in re.findall(r"`view\.(\w+)", text):
        assert hasattr(MatchView, name), name
    for name in re.findall(r"`(assert_\w+|versus|random_script)\(", text):
        assert hasattr(testing, name), name


def test_the_harness_doctests_pass():
    # CI does not collect doctests (yet): run the harness's documented examples here
    import doctest

    result = doctest.testmod(testing, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5 and result.failed == 0
