"""The batch engine gives byte-identical results to the per-round engine: every pairing of the
automaton classics, random automata in random games, tournaments with the batch engine on and
off; user automata from scenario files play as specified and bad tables are rejected."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from tournament import ScenarioError, games, play_match, run_scenario, seeding
from tournament.engine.batch import play_automata, results_of
from tournament.game import Game

PD = games.get("axelrod_pd")
SH3 = games.get("stag_hunt", players=3)
CLASSICS = [
    "always_cooperate",
    "always_defect",
    "tit_for_tat",
    "grim",
    "win_stay_lose_shift",
    "tit_for_two_tats",
    "two_tits_for_tat",
    "suspicious_tit_for_tat",
    "alternator",
    "cycler",
    "bully",
    "go_by_majority",
    ("random", {"p": 0.3}),
    "random",
    "generous_tit_for_tat",
    ("go_by_majority", {"memory": 3, "soft": False}),
]


def build(ref):
    return strategies.get(ref[0], **ref[1]) if isinstance(ref, tuple) else strategies.get(ref)


def same(a, b) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def check_identical(game, seatings, *, turns, prob_end=None, noise=0.0, seed=0):
    """Per-round engine vs the batch engine's array and loop forms, on every seating."""
    per_round = [
        play_match(
            game,
            [build(r) for r in seating],
            turns=turns,
            prob_end=prob_end,
            noise=noise,
            seed=seeding.match_seed(seed, i),
            engine="python",
        )
        for i, seating in enumerate(seatings)
    ]
    horizon = turns
    autos = [[build(r).automaton(game, s, horizon) for s, r in enumerate(seating)] for seating in seatings]
    assert all(a is not None for seats in autos for a in seats)
    seeds = [seeding.match_seed(seed, i) for i in range(len(seatings))]
    for vector in (True, False):
        played = play_automata(game, autos, seeds, turns=turns, prob_end=prob_end, noise=noise, vector=vector)
        for ref, prof, seating in zip(per_round, played, seatings):
            got = results_of(game, prof, ref.names)
            assert same(got.actions, ref.actions), (seating, vector)
            assert same(got.payoffs, ref.payoffs), (seating, vector)
            assert same(got.mean_payoffs, ref.mean_payoffs)


@pytest.mark.parametrize("noise,prob_end", [(0.0, None), (0.1, None), (0.05, 0.02)])
def test_every_pairing_of_the_automaton_classics_is_identical(noise, prob_end):
    pairs = list(itertools.product(CLASSICS, repeat=2))
    check_identical(PD, pairs, turns=80, prob_end=prob_end, noise=noise, seed=11)


@pytest.mark.parametrize("noise,prob_end", [(0.0, None), (0.1, 0.05)])
def test_three_player_seatings_of_the_automaton_classics_are_identical(noise, prob_end):
    refs = [
        "tit_for_tat",
        "grim",
        "win_stay_lose_shift",
        "two_tits_for_tat",
        "bully",
        ("generous_tit_for_tat", {"p": 0.4}),
        ("random", {"p": 0.7}),
        "random",
        "cycler",
    ]
    seatings = list(itertools.combinations_with_replacement(refs, 3))
    check_identical(SH3, seatings, turns=50, prob_end=prob_end, noise=noise, seed=3)


def test_maximin_and_fixed_in_a_three_action_game_are_identical():
    rps = games.get("rock_paper_scissors")
    refs = ["maximin", ("fixed", {"action": "P"}), ("cycler", {"pattern": "RPSS"}), "random"]
    check_identical(rps, list(itertools.product(refs, repeat=2)), turns=70, noise=0.2, seed=5)


# ---------------------------------------------------------------------- random automata
@st.composite
def game_and_tables(draw):
    k = draw(st.integers(2, 3))
    n = [draw(st.integers(2, 4)) for _ in range(k)]
    pay = np.array(
        draw(st.lists(st.integers(-3, 5), min_size=int(np.prod(n)) * k, max_size=int(np.prod(n)) * k))
    ).reshape(*n, k)
    game = Game(pay, actions=[[f"a{j}" for j in range(m)] for m in n], name="random game")
    tables = []
    for seat in range(k):
        S = draw(st.integers(1, 4))
        names = [f"s{i}" for i in range(S)]
        own = game.actions[seat]
        actions = {}
        for s in names:
            if draw(st.booleans()):
                actions[s] = draw(st.sampled_from(own))
            else:
                support = draw(st.lists(st.sampled_from(own), min_size=1, max_size=len(own), unique=True))
                w = np.array(draw(st.lists(st.integers(1, 9), min_size=len(support), max_size=len(support))), float)
                p = w / w.sum()
                actions[s] = {a: float(x) for a, x in zip(support, p)}
        order = [seat] + [j for j in range(k) if j != seat]
        transitions = {}
        for s in names:
            rules = {}
            for prof in game.profiles():
                key = ",".join(game.actions[j][prof[j]] for j in order)
                rules[key] = draw(st.sampled_from(names))
            transitions[s] = rules
        tables.append({"actions": actions, "transitions": transitions, "start": draw(st.sampled_from(names))})
    return game, tables


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    gt=game_and_tables(),
    noise=st.sampled_from([0.0, 0.15]),
    prob_end=st.sampled_from([None, 0.1]),
    seed=st.integers(0, 10**6),
)
def test_random_automata_in_random_games_are_identical(gt, noise, prob_end, seed):
    game, tables = gt
    players = [strategies.get("automaton", **t) for t in tables]
    seeds = [seeding.match_seed(seed, i) for i in range(20)]
    per_round = [
        play_match(
            game, [p.clone() for p in players], turns=40, prob_end=prob_end, noise=noise, seed=ss, engine="python"
        )
        for ss in seeds
    ]
    autos = [p.automaton(game, s) for s, p in enumerate(players)]
    for vector in (True, False):
        played = play_automata(
            game, [autos] * len(seeds), seeds, turns=40, prob_end=prob_end, noise=noise, vector=vector
        )
        for ref, prof in zip(per_round, played):
            got = results_of(game, prof, ref.names)
            assert same(got.actions, ref.actions) and same(got.payoffs, ref.payoffs)


# ---------------------------------------------------------------------- tournaments
def mixed_scenario(kind="round_robin", **tournament) -> dict:
    return {
        "name": "mixed",
        "seed": 17,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": kind, "turns": 30, "noise": 0.05, **tournament},
        "entrants": [
            {"strategy": "tit_for_tat"},
            {"strategy": "generous_tit_for_tat"},
            {"strategy": "random", "params": {"p": 0.4}},
            {"strategy": "hedge"},
            {"strategy": "win_stay_lose_shift"},
            {"strategy": "go_by_majority"},
            {
                "strategy": "automaton",
                "name": "table_tft",
                "params": {
                    "actions": {"nice": "C", "angry": "D"},
                    "transitions": {"nice": {"*,D": "angry", "*": "nice"}, "angry": {"*,C": "nice", "*": "angry"}},
                },
            },
        ],
        "report": {"plots": False, "traces": 2},
    }


@pytest.mark.parametrize(
    "settings_",
    [
        {"repetitions": 3, "self_play": True},
        {"repetitions": 2, "prob_end": 0.05, "turns": 60},
    ],
)
def test_round_robin_results_are_the_same_with_the_batch_engine_on_and_off(settings_):
    sc = mixed_scenario(**settings_)
    on, off = run_scenario(sc), run_scenario(sc, engine="python")
    assert on.matches.equals(off.matches)
    assert on.summary == off.summary
    (r_on,), (r_off,) = ([p.rounds for p in r.populations.values()] for r in (on, off))
    assert r_on.keys() == r_off.keys() and len(r_on) > 10
    for mid, data in r_on.items():
        assert data.keys() == r_off[mid].keys()
        assert all(same(data[key], r_off[mid][key]) for key in data)


def test_population_kinds_are_the_same_with_the_batch_engine_on_and_off():
    sc = mixed_scenario("moran", repetitions=2, runs=3, population_size=14)
    sc["entrants"] = sc["entrants"][:3] + sc["entrants"][4:5]
    on, off = run_scenario(sc), run_scenario(sc, engine="python")
    assert on.matches.equals(off.matches) and on.summary == off.summary


# ---------------------------------------------------------------------- user automata
TFT_TABLE = """
name = "user automata"
seed = 4
[game]
name = "prisoners_dilemma"
[tournament]
turns = 25
noise = 0.1

[[entrants]]
strategy = "tit_for_tat"

[[entrants]]
strategy = "automaton"
name = "tft_table"
[entrants.params]
start = "nice"
actions = { nice = "C", angry = "D" }
[entrants.params.transitions]
nice = { "*,D" = "angry", "*,C" = "nice" }
angry = { "*,C" = "nice", "*" = "angry" }

[[entrants]]
strategy = "automaton"
name = "mostly_defect"
[entrants.params]
actions = { only = { D = 0.75, C = 0.25 } }
transitions = { only = { "*" = "only" } }
"""


def test_user_automaton_from_a_scenario_file_plays_as_specified(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(TFT_TABLE)
    res = run_scenario(path, out=tmp_path / "out")
    m = res.matches.set_index(["entrant_0", "entrant_1"])
    # the table is tit-for-tat: against the same opponent and seeds it plays exactly as tit_for_tat
    pd2 = games.get("prisoners_dilemma")
    tft_vs_tft = play_match(pd2, ["tit_for_tat", "tit_for_tat"], turns=25, noise=0.1, seed=seeding.match_seed(4, 0))
    assert m.loc[("tit_for_tat", "tft_table"), ["payoff_0", "payoff_1"]].tolist() == tft_vs_tft.mean_payoffs.tolist()
    # the random state draws u from the seat's stream and plays D iff u < 0.75 (D listed first)
    md = strategies.get("automaton", actions={"only": {"D": 0.75, "C": 0.25}}, transitions={"only": {"*": "only"}})
    r = play_match(PD, [strategies.get("always_cooperate"), md], turns=2000, seed=1)
    u = seeding.generator(seeding.seat_seed(np.random.SeedSequence(1), 1)).random(2000)
    assert r.actions[:, 1].tolist() == np.where(u < 0.75, 1, 0).tolist()
    assert (
        md.is_stochastic
        and not strategies.get("automaton", actions={"a": "C"}, transitions={"a": {"*": "a"}}).is_stochastic
    )


@pytest.mark.parametrize(
    "params,message",
    [
        ({"actions": "C", "transitions": {}}, "actions: expected a table"),
        ({"actions": {"a": "C"}, "transitions": {"a": {"*": "b"}}}, "transitions.a.\"\\*\": unknown next state 'b'"),
        ({"actions": {"a": "C"}, "transitions": {"a": {"*": "a"}}, "start": "z"}, "start: unknown state 'z'"),
        ({"actions": {"a": "C", "b": "D"}, "transitions": {"a": {"*": "a"}}}, "transitions.b: missing"),
        (
            {"actions": {"a": {"C": 0.5, "D": 0.6}}, "transitions": {"a": {"*": "a"}}},
            "actions.a: probabilities sum to 1.1",
        ),
        (
            {"actions": {"a": {"C": -0.5, "D": 1.5}}, "transitions": {"a": {"*": "a"}}},
            "actions.a.C: expected a probability",
        ),
        ({"actions": {"a": "X"}, "transitions": {"a": {"*": "a"}}}, "actions.a: 'X' is not an action of seat 0"),
        (
            {"actions": {"a": "C"}, "transitions": {"a": {"C,Q": "a"}}},
            "transitions.a.\"C,Q\": 'Q' is not an action of seat 1",
        ),
        ({"actions": {"a": "C"}, "transitions": {"a": {"C": "a"}}}, 'transitions.a."C": a rule names 2 actions'),
        (
            {"actions": {"a": "C"}, "transitions": {"a": {"C,*": "a"}}},
            'transitions.a: no rule matches the observed profile "D,C"',
        ),
        ({"actions": {"a": "C"}, "transitions": {"a": {"*": "a"}, "q": {}}}, "transitions.q: unknown state"),
        ({"actions": {"a": "C"}, "transitions": {"a": {"*": "a"}}, "states": ["a", "b"]}, "states: must list exactly"),
    ],
)
def test_bad_automaton_tables_are_rejected_naming_the_key(tmp_path, params, message):
    sc = {
        "name": "bad",
        "game": {"name": "prisoners_dilemma"},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "automaton", "params": params}],
    }
    with pytest.raises(ScenarioError, match=message) as err:
        run_scenario(sc)
    assert "entrants[1]" in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------------- random matching
@pytest.mark.parametrize(
    "game,types,count",
    [
        (
            {"name": "prisoners_dilemma"},
            ["tit_for_tat", "win_stay_lose_shift", "always_defect", "generous_tit_for_tat", "random", "go_by_majority"],
            7,
        ),
        ({"name": "stag_hunt", "params": {"players": 3}}, ["tit_for_tat", "grim", "random", "bully"], 8),
        (
            {
                "name": "battle",
                "actions": [["O", "F"], ["o", "f"]],  # not symmetric: one sub-population per role
                "payoffs": [[[3, 2], [0, 0]], [[0, 0], [2, 3]]],
            },
            ["random", "cycler", "fixed"],
            9,
        ),
    ],
)
def test_random_matching_is_the_same_with_the_batch_engine_on_and_off(game, types, count):
    sc = {
        "name": "rm",
        "seed": 8,
        "game": game,
        "tournament": {
            "kind": "random_matching",
            "turns": 25,
            "runs": 2,
            "generations": 3,
            "noise": 0.1,
            "mutation": 0.1,
            "record_every": 4,
        },
        "entrants": [{"strategy": s, "count": count} for s in types],
        "report": {"plots": False},
    }
    from tournament.models.random_matching import RandomMatchingModel, context_for
    from tournament.scenario import load_scenario

    ctx = context_for(load_scenario(sc))
    assert RandomMatchingModel(ctx).population is not None  # really on the batch engine
    on, off = run_scenario(sc), run_scenario(sc, engine="python")
    assert on.summary == off.summary
    (p_on,), (p_off,) = on.populations.values(), off.populations.values()
    assert p_on.tables.keys() == p_off.tables.keys()
    for key in p_on.tables:
        assert p_on.tables[key].equals(p_off.tables[key]), key


def test_wilson_interval_is_scipys_to_the_bit():
    from scipy.stats import binomtest

    from tournament.analysis import wilson

    for n in (1, 2, 3, 7, 40, 199, 780, 12345):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
            w = wilson(k, n)
            assert (w["ci_low"], w["ci_high"]) == (float(ci.low), float(ci.high))


@pytest.mark.parametrize("noise", [0.0, 0.07])
def test_seeding_many_matches_at_once_draws_what_each_match_draws(noise):
    from tournament.engine.batch import _prepare, _prepare_many

    autos = [
        [build(r).automaton(PD, s, 30) for s, r in enumerate(pair)]
        for pair in [("tit_for_tat", "random"), (("generous_tit_for_tat", {"p": 0.3}), "grim"), ("bully", "cycler")]
    ] * 7
    keys = [seeding.MatchKey(2**40 + 3, mid, 0) for mid in [0, 1, 2, 17, 2**31, 2**32 - 1, 123456789] * 3]
    fast = _prepare_many(PD, autos, keys, 30, None, noise)
    for f, seats, key in zip(fast, autos, keys):
        slow = _prepare(PD, seats, key, 30, None, noise)
        assert f.length == slow.length == 30
        assert (f.flips is None) == (slow.flips is None) and (f.flips is None or np.array_equal(f.flips, slow.flips))
        for a, b in zip(f.seat_rngs, slow.seat_rngs):
            assert (a is None) == (b is None)
            if a is not None:
                assert np.array_equal(a, b.random(30))
