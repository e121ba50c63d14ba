"""Scenario files: the reference shape, inline games, user strategies, and clear errors."""

import textwrap

import pytest
from conftest import ROOT, write_toml

from tournament import ScenarioError, load_scenario, run_scenario

BASE = """
name = "t"
seed = 1
[game]
name = "prisoners_dilemma"
[tournament]
turns = 10
[[entrants]]
strategy = "tit_for_tat"
[[entrants]]
strategy = "grim"
"""


def error_of(tmp_path, text):
    p = write_toml(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert str(p) in msg, msg  # every message names the file
    return err.value


def test_reference_shape_loads(tmp_path):
    s = load_scenario(write_toml(tmp_path, BASE))
    assert s.name == "t" and s.seed == 1 and s.kind == "round_robin"
    assert [e.name for e in s.entrants] == ["tit_for_tat", "grim"]
    assert s.match.turns == 10 and s.repetitions == 1


# ------------------------------------------------------------------ bad files
@pytest.mark.parametrize(
    "text, key, fragment",
    [
        # 1. unknown key with a suggestion
        (
            BASE.replace("turns = 10", "turns = 10\nrepetition = 3"),
            "tournament.repetition",
            "Did you mean 'repetitions'",
        ),
        # 2. wrong type
        (BASE.replace("turns = 10", 'turns = "ten"'), "tournament.turns", "expected a positive integer"),
        # 3. impossible value
        (BASE.replace("turns = 10", "turns = 10\nnoise = 1.5"), "tournament.noise", "probability"),
        # 4. unknown strategy with a suggestion
        (BASE.replace('"grim"', '"grimm"'), "entrants[1].strategy", "Did you mean 'grim'"),
        # 5. unknown game with a suggestion
        (BASE.replace('"prisoners_dilemma"', '"prisoner_dilemma"'), "game.name", "Did you mean 'prisoners_dilemma'"),
        # 6. a parameter the strategy does not take
        (
            BASE + '[[entrants]]\nstrategy = "random"\nparams = { prob = 0.5 }\n',
            "entrants[2].params",
            "no parameter 'prob'",
        ),
        # 7. a parameter value the strategy rejects
        (BASE + '[[entrants]]\nstrategy = "random"\nparams = { p = 3 }\n', "entrants[2].params", "p must be in"),
        # 8. an entrant that cannot sit in the game (cooperate action not inferable)
        (BASE.replace('name = "prisoners_dilemma"', 'name = "rock_paper_scissors"'), "entrants[0]", "cannot infer"),
        # 9. too few entrants for the seats
        (BASE.replace('[[entrants]]\nstrategy = "grim"\n', ""), "tournament.self_play", "only 1 entrant"),
        # 10. unknown kind
        (BASE.replace("turns = 10", 'turns = 10\nkind = "roundrobin"'), "tournament.kind", "round_robin"),
        # 11. duplicate display names
        (BASE.replace('"grim"', '"tit_for_tat"'), "entrants[1].name", "duplicate entrant name"),
        # 12. missing game
        (BASE.replace('[game]\nname = "prisoners_dilemma"', ""), "game", "required"),
        # 13. bad game parameter
        (
            BASE.replace('name = "prisoners_dilemma"', 'name = "prisoners_dilemma"\nparams = { X = 1 }'),
            "game.params",
            "no parameter 'X'",
        ),
        # 14. top-level typo
        ("sed = 3\n" + BASE, "sed", "Did you mean 'seed'"),
        # 15. negative seed
        (BASE.replace("seed = 1", "seed = -1"), "seed", "non-negative"),
        # 16. user strategy file missing
        (BASE.replace('"grim"', '"nope.py:Thing"'), "entrants[1].strategy", "not found"),
    ],
)
def test_bad_scenarios_name_file_and_key(tmp_path, text, key, fragment):
    err = error_of(tmp_path, text)
    assert err.key == key, str(err)
    assert fragment in str(err), str(err)


def test_invalid_toml_names_line(tmp_path):
    err = error_of(tmp_path, BASE + "\n[[entrants]\n")
    assert "not valid TOML" in str(err) and "line" in str(err)


def test_inline_game_errors_name_the_key(tmp_path):
    text = """
    seed = 1
    [game]
    actions = [["C","D"],["C","D"]]
    payoffs = [[[2,2],[0,3]],[[3,0],[1]]]
    [[entrants]]
    strategy = "grim"
    [[entrants]]
    strategy = "tit_for_tat"
    """
    err = error_of(tmp_path, text)
    assert err.key == "game.payoffs"
    text2 = text.replace("[1]]]", "[1,1]]]").replace('["C","D"],["C","D"]', '["C","C"],["C","D"]')
    err = error_of(tmp_path, text2)
    assert err.key == "game.actions" and "duplicate" in str(err)


def test_inline_game_runs(tmp_path):
    text = """
    seed = 1
    [game]
    name = "my PD"
    actions = [["C","D"],["C","D"]]
    payoffs = [[[2,2],[0,3]],[[3,0],[1,1]]]
    [tournament]
    turns = 4
    [[entrants]]
    strategy = "tit_for_tat"
    [[entrants]]
    strategy = "alternator"
    """
    r = run_scenario(write_toml(tmp_path, text))
    assert r.matches.loc[0, ["payoff_0", "payoff_1"]].tolist() == [5 / 4, 8 / 4]
    assert r.summary["game"]["name"] == "my PD"


def test_common_payoff_inline_game(tmp_path):
    text = """
    seed = 1
    [game]
    common_payoff = true
    actions = [["H","W"],["H","W"]]
    payoffs = [[1, 0], [0, 1]]
    [[entrants]]
    strategy = "always_cooperate"
    [[entrants]]
    strategy = "always_defect"
    """
    s = load_scenario(write_toml(tmp_path, text))
    assert s.game.is_common_payoff and s.game.payoff(("H", "H")).tolist() == [1, 1]


def test_user_strategy_by_file_path_relative_to_scenario(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mine.py").write_text(
        textwrap.dedent("""
        from strategies import Strategy
        class Stubborn(Strategy):
            stochastic = False
            def __init__(self, action="D"):
                self.action = action
            def choose(self, view):
                return self.action
    """)
    )
    p = write_toml(tmp_path, BASE.replace('"grim"', '"mine.py:Stubborn"\nparams = { action = "C" }'), "sub/s.toml")
    r = run_scenario(p)
    assert r.matches["payoff_0"].tolist() == [2.0]
    # a class that is not there: suggestion from the file's strategy classes
    p2 = write_toml(tmp_path, BASE.replace('"grim"', '"mine.py:Stubbon"'), "sub/s2.toml")
    with pytest.raises(ScenarioError, match="Did you mean 'Stubborn'"):
        load_scenario(p2)


def test_user_strategy_file_that_fails_to_import(tmp_path):
    (tmp_path / "broken.py").write_text("import math\n\nx = 1/0\n")
    err = error_of(tmp_path, BASE.replace('"grim"', '"broken.py:X"'))
    assert "line 3" in str(err) and "ZeroDivisionError" in str(err)


def test_strategy_by_import_path():
    s = load_scenario(
        {
            "seed": 1,
            "game": {"name": "prisoners_dilemma"},
            "entrants": [{"strategy": "strategies.classics:TitForTat"}, {"strategy": "grim"}],
        }
    )
    assert s.entrants[0].build().registry_name() == "tit_for_tat"
    with pytest.raises(ScenarioError, match="cannot import module 'nosuch.mod'"):
        load_scenario(
            {"game": {"name": "prisoners_dilemma"}, "entrants": [{"strategy": "nosuch.mod:X"}, {"strategy": "grim"}]}
        )


def test_bundled_user_strategy_example_runs():
    r = run_scenario(ROOT / "scenarios" / "examples" / "my_strategy.toml")
    row = r.matches[(r.matches.entrant_0 == "soft grudge (2)") & (r.matches.entrant_1 == "always_defect")].iloc[0]
    # C once, then D every round (the punishment is renewed every round): 0 then 1s
    assert row.payoff_0 == pytest.approx((0 + 99 * 1) / 100)


def test_count_expands_entrants(tmp_path):
    s = load_scenario(write_toml(tmp_path, BASE.replace('strategy = "grim"', 'strategy = "grim"\ncount = 3')))
    assert [e.name for e in s.entrants] == ["tit_for_tat", "grim #1", "grim #2", "grim #3"]


def test_missing_seed_is_drawn_and_recorded(tmp_path):
    s = load_scenario(write_toml(tmp_path, BASE.replace("seed = 1\n", "")))
    assert not s.seed_given and isinstance(s.seed, int)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").rglob("*.toml")), ids=lambda p: p.name)
def test_every_bundled_scenario_validates(path):
    if '"axelrod:' in path.read_text():
        pytest.importorskip("axelrod")
    s = load_scenario(path)
    assert s.name and s.populations
