"""``axelrod:<ClassName>`` entrants: the Axelrod library's strategies inside our
tournaments (skipped when the optional ``axelrod`` package is not installed)."""

import pickle
import sys
import warnings

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    axl = pytest.importorskip("axelrod")

import strategies
from strategies import axelrod_adapter
from tournament import ScenarioError, StrategyError, games, play_match, run_scenario

PD = games.get("axelrod_pd")  # R=3, S=0, T=5, P=1: the library's default game
TURNS = 60


def library_play(a, b, turns=TURNS, **kwargs):
    """Action pairs of a match played by the Axelrod library itself (``axelrod.Match`` with its
    default match attributes: the players are told the length, the game and the noise)."""
    match = axl.Match((getattr(axl, a)(), getattr(axl, b)()), turns=turns, **kwargs)
    return [(p.name, q.name) for p, q in match.play()]


def our_play(a, b, turns=TURNS, seed=0, noise=0.0, game=PD, **kwargs):
    ref = lambda name: f"axelrod:{name}" if name[0].isupper() else name  # noqa: E731 - CamelCase: a library class
    r = play_match(
        game, [strategies.build(ref(a)), strategies.build(ref(b))], turns=turns, seed=seed, noise=noise, **kwargs
    )
    return r, [tuple(game.actions[i][x] for i, x in enumerate(row)) for row in r.actions]


DETERMINISTIC = sorted(
    s.__name__
    for s in axl.strategies  # the library's ordinary (non-cheating) strategies
    if not s.classifier["stochastic"]
    and not any(s.classifier.get(c) for c in axelrod_adapter._CHEATING)
    and not s.classifier.get("long_run_time")
)


@pytest.mark.parametrize(
    "pair",
    [
        ("TitForTat", "Alternator"),
        ("Grudger", "Cycler"),
        ("WinStayLoseShift", "Bully"),
        ("TitFor2Tats", "SuspiciousTitForTat"),
        ("FirstByTidemanAndChieruzzi", "Alternator"),
        ("SecondByChampion", "TitForTat"),
        ("Prober", "Gradual"),
    ],
)
def test_wrapped_deterministic_pairs_play_exactly_as_in_the_library(pair):
    _, ours = our_play(*pair)
    assert ours == library_play(*pair)


def test_forty_library_strategies_against_each_other_match_the_library():
    rng = np.random.default_rng(7)
    names = list(rng.choice(DETERMINISTIC, size=40, replace=False))
    for a, b in zip(names[::2], names[1::2]):
        _, ours = our_play(a, b, turns=40)
        assert ours == library_play(a, b, turns=40), (a, b)


def test_wrapped_strategy_meets_ours_tit_for_tat_copies_the_last_action():
    r, _ = our_play("axelrod:TitForTat", "random", turns=200, seed=3, game=games.get("prisoners_dilemma"))
    a = r.actions
    assert a[0, 0] == 0 and (a[1:, 0] == a[:-1, 1]).all()
    assert 0 < a[:, 1].mean() < 1  # the random partner did both


def test_stochastic_library_strategy_is_seeded_reproducible_and_has_the_right_rate():
    runs = [our_play("axelrod:Random", "always_cooperate", turns=4000, seed=s)[0] for s in (1, 1, 2)]
    assert np.array_equal(runs[0].actions, runs[1].actions)
    assert not np.array_equal(runs[0].actions, runs[2].actions)
    defect_rate = runs[0].actions[:, 0].mean()
    assert abs(defect_rate - 0.5) < 4 * np.sqrt(0.25 / 4000)
    r, _ = our_play("axelrod:GTFT", "always_defect", turns=20000, seed=5)
    # against a pure defector GTFT forgives (cooperates) with p = min(1-(T-R)/(R-S), (R-P)/(T-P)) = 1/3 on (3,0,5,1)
    forgive = 1 - r.actions[1:, 0].mean()
    assert abs(forgive - 1 / 3) < 4 * np.sqrt((1 / 3) * (2 / 3) / 20000)


def test_second_seat_and_labels_of_other_games_map_to_cooperate_and_defect():
    # stag hunt: Stag (first action) is "cooperate"; the wrapped Defector hunts hare from either seat
    game = games.get("stag_hunt")
    r = play_match(game, ["always_cooperate", strategies.build("axelrod:Defector")], turns=5, seed=0)
    assert (r.actions[:, 1] == 1).all() and (r.actions[:, 0] == 0).all()


def test_inside_a_tournament_with_workers_and_parameters(tmp_path):
    sc = {
        "name": "interop",
        "seed": 3,
        "game": {"name": "axelrod_pd"},
        "tournament": {"turns": 30, "repetitions": 2, "noise": 0.05},
        "report": {"plots": False},
        "entrants": [
            {"strategy": "tit_for_tat"},
            {"strategy": "axelrod:TitForTat"},
            {"strategy": "axelrod:GTFT", "params": {"p": 0.2}},
            {"strategy": "axelrod:FirstByJoss"},
        ],
    }
    one = run_scenario(sc, out=tmp_path / "w1")
    two = run_scenario(sc, out=tmp_path / "w2", workers=2)
    assert (tmp_path / "w1" / "matches.csv").read_bytes() == (tmp_path / "w2" / "matches.csv").read_bytes()
    assert set(one.matches.entrant_1) >= {"axelrod:TitForTat", "axelrod:GTFT(p=0.2)"}
    assert (one.matches.status == "ok").all() and len(one.matches) == 12
    assert one.standings.equals(two.standings) and len(one.standings) == 4


def test_wrapped_strategies_pickle_and_clone_with_their_parameters():
    s = strategies.build("axelrod:GTFT", {"p": 0.25})
    t = pickle.loads(pickle.dumps(s))
    assert type(t) is type(s) and t.get_params() == {"p": 0.25} and repr(t) == "axelrod:GTFT(p=0.25)"
    assert s.clone().get_params() == {"p": 0.25}
    assert pickle.loads(pickle.dumps(type(s))) is type(s)
    assert s.is_stochastic and not strategies.build("axelrod:GTFT", {"p": 0.0}).is_stochastic


def test_clear_errors():
    with pytest.raises(StrategyError, match="no strategy class 'TitForTatt'.*Did you mean 'TitForTat'"):
        strategies.build("axelrod:TitForTatt")
    with pytest.raises(StrategyError, match="axelrod:Darwin inspects source and manipulates state"):
        strategies.build("axelrod:Darwin")
    with pytest.raises(StrategyError, match="rejected its parameters"):
        strategies.build("axelrod:GTFT", {"q": 1})
    sc = {
        "name": "x",
        "game": {"name": "rock_paper_scissors"},
        "tournament": {"turns": 5},
        "entrants": [{"strategy": "axelrod:TitForTat"}, {"strategy": "random"}],
    }
    with pytest.raises(ScenarioError, match=r"entrants\[0\].*cannot play seat 0.*2-player games with 2 actions"):
        run_scenario(sc)
    sc = {
        "name": "x",
        "game": {"name": "chicken"},
        "tournament": {"turns": 5},
        "entrants": [{"strategy": "axelrod:ZDExtort2"}, {"strategy": "random"}],
    }
    with pytest.raises(
        ScenarioError, match=r"ZDExtort2 rejects this seat's payoffs \(R, S, T, P\) = \(0, -1, 1, -10\)"
    ):
        run_scenario(sc)


def test_missing_library_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "axelrod", None)  # import axelrod now raises ImportError
    axelrod_adapter._lookup.cache_clear()
    axelrod_adapter.wrapper.cache_clear()
    try:
        with pytest.raises(StrategyError, match=r"need the Axelrod library: pip install 'axelrod==4.13.0' pyarrow"):
            strategies.build("axelrod:TitForTat")
    finally:
        axelrod_adapter._lookup.cache_clear()
        axelrod_adapter.wrapper.cache_clear()


# ------------------------------------------------------------------ match attributes
# Twelve deterministic library strategies, among them FirstByTidemanAndChieruzzi, which uses the
# match length: with the length withheld (the adapter's old behaviour) 10 of the 66 pairings
# differed from the library, all involving it (e.g. OmegaTFT against it: 3.000 vs 2.975).
TWELVE = [
    "TitForTat",
    "FirstByTidemanAndChieruzzi",
    "OmegaTFT",
    "Gradual",
    "Prober",
    "Grudger",
    "WinStayLoseShift",
    "TitFor2Tats",
    "FirstByDavis",
    "Bully",
    "Defector",
    "Cooperator",
]


def _our_matrix():
    sc = {
        "name": "twelve",
        "seed": 1,
        "game": {"name": "axelrod_pd"},
        "tournament": {"turns": 200},
        "report": {"plots": False, "traces": 0},
        "entrants": [{"strategy": f"axelrod:{n}"} for n in TWELVE],
    }
    matches = run_scenario(sc).matches
    assert len(matches) == 66
    ours = np.full((12, 12), np.nan)
    for m in matches.itertuples():
        i, j = TWELVE.index(m.entrant_0[len("axelrod:") :]), TWELVE.index(m.entrant_1[len("axelrod:") :])
        ours[i, j], ours[j, i] = m.payoff_0, m.payoff_1
    return ours


def test_twelve_strategy_payoff_matrix_is_the_librarys_own(monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tour = axl.Tournament([getattr(axl, n)() for n in TWELVE], turns=200, repetitions=1, seed=0)
        lib = np.array(tour.play(progress_bar=False).payoff_matrix)  # mean payoff per turn, row vs column
    ours = _our_matrix()
    off = ~np.eye(12, dtype=bool)
    assert np.array_equal(ours[off], lib[off])  # exactly, all 132 entries
    t, o = TWELVE.index("FirstByTidemanAndChieruzzi"), TWELVE.index("OmegaTFT")
    assert ours[o, t] == lib[o, t] == 2.975
    # the length withheld (length -1, as the adapter used to pass): the 10 differing pairings
    real = axelrod_adapter.AxelrodStrategy.match_attributes
    monkeypatch.setattr(
        axelrod_adapter.AxelrodStrategy,
        "match_attributes",
        staticmethod(lambda view, game: {**real(view, game), "length": -1}),
    )
    before = _our_matrix()
    differ = {
        (i, j) for i in range(12) for j in range(i + 1, 12) if (before[i, j], before[j, i]) != (lib[i, j], lib[j, i])
    }
    assert len(differ) == 10 and all(t in pair for pair in differ)
    assert before[o, t] == 3.0


def attributes(result, seat=0):
    return result.strategies[seat].player.match_attributes


def test_match_attributes_are_those_axelrod_match_passes():
    r, _ = our_play("FirstByTidemanAndChieruzzi", "TitForTat", turns=50, noise=0.02, seed=1)
    lib = axl.Match((axl.TitForTat(), axl.TitForTat()), turns=50, noise=0.02).match_attributes
    mine = attributes(r)
    assert mine["length"] == lib["length"] == 50 and mine["noise"] == lib["noise"] == 0.02
    assert mine["game"].RPST() == lib["game"].RPST() == (3, 1, 0, 5)
    # prob_end, with or without a turns cap: the library passes an infinite length
    for kwargs in ({"prob_end": 0.1}, {"prob_end": 0.1, "turns": 30}):
        lib = axl.Match((axl.TitForTat(), axl.TitForTat()), **kwargs).match_attributes
        r = play_match(PD, [strategies.build("axelrod:TitForTat"), "tit_for_tat"], seed=2, **kwargs)
        assert attributes(r)["length"] == lib["length"] == float("inf")
    # hidden: the library's documented way, match_attributes={"length": float("inf")}
    r, _ = our_play("TitForTat", "Defector", turns=40, reveal_length=False)
    assert attributes(r)["length"] == float("inf") and attributes(r, 1)["length"] == float("inf")
    # another game: the seat's own (R, S, T, P); the second seat of an asymmetric game sees its own
    game = tournament_game([[[4, 1], [0, 3]], [[5, 0], [2, 2]]])
    r = play_match(game, [strategies.build("axelrod:TitForTat"), strategies.build("axelrod:TitForTat")], turns=3)
    assert attributes(r, 0)["game"].RPST() == (4, 2, 0, 5) and attributes(r, 1)["game"].RPST() == (1, 2, 0, 3)


def tournament_game(payoffs):
    from tournament import Game

    return Game(payoffs, actions=[["C", "D"], ["C", "D"]], name="asymmetric")


def test_the_length_changes_play_as_in_the_library():
    # BackStabber defects in the last two rounds of a match whose length it knows
    _, fixed = our_play("BackStabber", "Cooperator", turns=30)
    assert fixed == library_play("BackStabber", "Cooperator", turns=30)
    assert [a for a, _ in fixed] == ["C"] * 28 + ["D"] * 2
    _, hidden = our_play("BackStabber", "Cooperator", turns=30, reveal_length=False)
    assert hidden == library_play("BackStabber", "Cooperator", turns=30, match_attributes={"length": float("inf")})
    assert [a for a, _ in hidden] == ["C"] * 30


@pytest.mark.parametrize(
    "pair",
    [("FirstByTidemanAndChieruzzi", "Bully"), ("BackStabber", "TitForTat"), ("FirstBySteinAndRapoport", "Cooperator")],
)
def test_prob_end_matches_play_as_the_librarys_prob_end_matches(pair):
    # deterministic players: the moves depend on the length only through the match attributes,
    # so every common prefix of a library prob_end match and ours is equal
    r, ours = our_play(*pair, turns=None, prob_end=0.004, seed=3)
    lib = axl.Match(tuple(getattr(axl, n)() for n in pair), prob_end=0.004, seed=18)  # 263 turns
    theirs = [(p.name, q.name) for p, q in lib.play()]
    n = min(len(ours), len(theirs))
    assert n >= 100, (len(ours), len(theirs))  # long enough to reach the length-dependent play
    assert ours[:n] == theirs[:n]
    # ... whereas the fixed-length match of the same length is another match
    assert ours != library_play(*pair, turns=len(ours))


def test_stochastic_players_get_seeds_in_the_librarys_range():
    seeds = {our_play("Random", "Cooperator", turns=1, seed=s)[0].strategies[0].player._seed for s in range(200)}
    assert len(seeds) == 200 and all(0 <= x < 2**32 - 1 for x in seeds)
    assert max(seeds) >= 2**31  # the library's range, not a 31-bit one
    det = our_play("TitForTat", "Cooperator", turns=1)[0].strategies[0].player
    assert not hasattr(det, "_seed")  # as axelrod.Match, deterministic players are not seeded
