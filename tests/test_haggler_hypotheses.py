"""Sharp infra-RDP hypotheses: the type, its classes, the batched space, describe, custom tables."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tournament
from strategies.haggler import hypotheses as hy
from strategies.haggler.space import (
    SpaceSpec,
    build_space,
    count_loops,
    estimate_size,
    minimal_automata,
    primitive_loops,
)

PD = tournament.games.get("prisoners_dilemma")
C, D = 0, 1


@pytest.fixture(scope="module")
def sg():
    return hy.SeatGame.of(PD, 0)


def test_seat_game_flattens_the_others_joint_action_in_c_order():
    g = tournament.games.get("demand_3p")
    sg1 = hy.SeatGame.of(g, 1)  # Bob: others are Alice (seat 0) then Charlie (seat 2)
    assert sg1.n_actions == 3 and sg1.n_obs == 9
    assert sg1.observations[:4] == ("1,1", "1,2", "1,3", "2,1")
    assert sg1.observation_of((2, 0, 1)) == 2 * 3 + 1  # Alice asks 3, Charlie asks 2
    # r(a, o) is Bob's payoff: Bob asks 3 (a=2), Alice 3, Charlie 1 -> (3,3,1) granted
    assert sg1.reward[2, sg1.observation_index("3,1")] == 3
    assert sg1.reward[1, sg1.observation_index(["2", "3"])] == 2  # (2,2,x): Bob gets 2
    assert sg1.maximin == 0.0
    with pytest.raises(ValueError, match="unknown observation '4,1'"):
        sg1.observation_index("4,1")


def test_validation_rejects_empty_observation_sets_and_bad_transitions(sg):
    allow = np.ones((2, 2, 2), bool)
    nxt = np.zeros((2, 2, 2), int)
    allow[1, 0, :] = False
    with pytest.raises(ValueError, match=r"B\(state 1, action 0\) is empty"):
        hy.Hypothesis(allow, nxt)
    allow[1, 0, :] = True
    nxt[0, 1, 1] = 2
    with pytest.raises(ValueError, match=r"T\(state 0, action 1, observation 1\) = 2 is not a state"):
        hy.Hypothesis(allow, nxt)
    nxt[0, 1, 1] = 0
    with pytest.raises(ValueError, match="start state 5"):
        hy.Hypothesis(allow, nxt, start=5)
    # a target outside B(s, a) is irrelevant and normalised to -1
    allow[0, 0, 1] = False
    nxt[0, 0, 1] = 99
    h = hy.Hypothesis(allow, nxt)
    assert h.table()[0, 0, 1] == -1


def test_resettability(sg):
    tft = hy.automaton(sg, (C, D), ((0, 1), (0, 1)))
    grim = hy.automaton(sg, (C, D), ((0, 1), (1, 1)))
    alternator = hy.automaton(sg, (C, D), ((1, 1), (0, 0)))
    assert tft.is_resettable() and alternator.is_resettable()
    assert not grim.is_resettable()  # the trap of seed 001
    assert hy.password(sg, (D, D, C), ((C, C),)).is_resettable()
    assert hy.top(sg).is_resettable() and hy.constant(sg, D).is_resettable()
    # a state that can only be left into itself under some observation is not resettable
    allow = np.ones((2, 2, 2), bool)
    nxt = np.zeros((2, 2, 2), int)
    nxt[1, :, 1] = 1  # from state 1, observation D keeps it there whatever the agent does
    assert not hy.Hypothesis(allow, nxt).is_resettable()


def test_password_hypothesis_follows_the_definition(sg):
    h = hy.password(sg, (D, D, C), ((C, C), (D, C)))
    # states s0 s1 s2 l1 l2
    assert h.n_states == 5 and h.state_names == ("s0", "s1", "s2", "l1", "l2")
    assert h.allow[:3].all()  # password states: any observation
    assert list(h.table()[0, :, 0]) == [0, 1]  # s0: D advances, C restarts
    assert list(h.table()[2, :, 1]) == [3, 0]  # s2: C enters l1
    # l1 expects (C, C): C with C -> l2, C with D falsifies, D -> start with anything
    assert list(h.table()[3, C]) == [4, -1] and list(h.table()[3, D]) == [0, 0]
    assert list(h.table()[4, D]) == [3, -1] and list(h.table()[4, C]) == [0, 0]
    # empty password: the start state is l1 and deviating returns there
    h0 = hy.password(sg, (), ((D, C),))
    assert h0.n_states == 1 and list(h0.table()[0, C]) == [0, 0] and list(h0.table()[0, D]) == [0, -1]


def test_falsified_at_exactly_the_round_its_B_excludes_the_observation(sg):
    h = hy.password(sg, (D, C), ((C, C),))
    pairs = [(D, D), (C, D), (C, C), (C, C), (C, D), (D, D)]
    states, falsified = h.run(pairs)
    assert states == [0, 1, 2, 2, 2] and falsified == 4


def test_describe(sg):
    assert hy.describe(hy.password(sg, (D, D, C), ((C, C),)), sg) == "password DDC then loop (C,C)"
    assert hy.describe(hy.password(sg, (), ((C, C), (D, C))), sg) == "loop (C,C)(D,C)"
    assert hy.describe(hy.constant(sg, D), sg) == "others always play D"
    assert hy.describe(hy.top(sg), sg).startswith("⊤")
    tft = hy.describe(hy.automaton(sg, (C, D), ((0, 1), (0, 1))), sg)
    assert tft == "automaton (2 states): q0 plays C [C→q0 D→q1]; q1 plays D [C→q0 D→q1]"
    g3 = hy.SeatGame.of(tournament.games.get("demand_3p"), 2)
    assert hy.describe(hy.password(g3, (0,), ((2, g3.observation_index("1,1")),)), g3) == "password 1 then loop (3|1,1)"


# ------------------------------------------------------------------ custom tables
TFT_TABLE = {
    "name": "tit for tat",
    "start": "c",
    "states": {
        "c": {"C": {"observe": ["C"], "next": "c"}, "D": {"observe": ["C"], "next": "d"}},
        "d": {"*": {"observe": "D", "next": {"D": "d"}}, "C": {"observe": ["D"], "next": "c"}},
    },
}


def test_custom_table_builds_the_same_hypothesis_as_the_automaton(sg):
    h = hy.from_table(sg, TFT_TABLE)
    tft = hy.automaton(sg, (C, D), ((0, 1), (0, 1)))
    assert np.array_equal(h.table(), tft.table()) and h.start == 0
    assert hy.describe(h, sg) == "custom 'tit for tat' (2 states)"
    # 'next' as a table implies B = its keys
    h2 = hy.from_table(sg, {"states": {"s": {"*": {"next": {"C": "s"}}}}})
    assert np.array_equal(h2.table(), hy.constant(sg, C).table())


@pytest.mark.parametrize(
    "table, message",
    [
        ({"states": {"c": {"C": "c"}}}, r"custom\.states\.c: no rule for own action\(s\) \['D'\]"),
        ({"states": {"c": {"C": "x", "D": "c"}}}, r"custom\.states\.c\.C\.next: unknown state 'x'"),
        (
            {"states": {"c": {"*": {"observe": ["Q"], "next": "c"}}}},
            r"custom\.states\.c\.\*\.observe: unknown observation 'Q'",
        ),
        ({"states": {"c": {"E": "c", "*": "c"}}}, r"custom\.states\.c\.E: unknown own action 'E'"),
        (
            {"states": {"c": {"*": {"observe": ["C", "D"], "next": {"C": "c"}}}}},
            r"no next state for allowed observation\(s\) \['D'\]",
        ),
        ({"states": {"c": {"*": "c"}}, "start": "z"}, r"custom\.start: unknown state 'z'"),
        ({"states": {"c": {"*": "c"}}, "colour": 1}, r"custom\.colour: unknown key"),
        ({"states": {"c": {"*": "c"}}, "weight": -1}, r"custom\.weight: expected a non-negative number"),
    ],
)
def test_custom_table_errors_name_the_key(sg, table, message):
    with pytest.raises(ValueError, match=message):
        hy.from_table(sg, table)


# ------------------------------------------------------------------ the batched space
def test_space_rows_reproduce_every_single_hypothesis(sg):
    space = build_space(
        sg,
        SpaceSpec(
            max_password=2,
            max_loop=2,
            max_automaton=2,
            prune=False,
            classes=("top", "constant", "automaton", "password", "custom"),
            custom=(hy.from_table(sg, TFT_TABLE),),
        ),
    )
    assert space.kind_name(0) == "top"
    for h in range(space.n_hypotheses):
        single = space.hypothesis(h)
        assert np.array_equal(space.table(h), single.table()), space.describe(h)
        assert space.local_state(h, space.start_rows[h]) == single.start
    kinds = [space.kind_name(h) for h in range(space.n_hypotheses)]
    assert kinds.count("constant") == 2 and kinds.count("custom") == 1
    # passwords: (1 + 2 + 4) passwords x (4 + 12 primitive loops of length 1, 2) over 4 pairs
    assert kinds.count("password") == 7 * (4 + 12)
    resettable = space.resettable()
    grim = [
        h
        for h in range(space.n_hypotheses)
        if space.kind_name(h) == "automaton" and space.hypothesis(h).info == ((C, D), ((0, 1), (1, 1)))
    ]
    assert len(grim) == 1 and not resettable[grim[0]]
    assert resettable[[h for h in range(space.n_hypotheses) if space.kind_name(h) == "password"]].all()


def test_loops_are_primitive_and_every_rotation_is_kept(sg):
    loops = primitive_loops(sg, 2, prune=False)
    assert len(loops) == 16 - 4  # no (x)(x)
    assert {tuple(w) for w in loops} >= {(0, 3), (3, 0)}  # both rotations of (C,C)(D,D)
    assert count_loops(4, 4, 4) == 4**4 - 4**2  # words of length 4 minus powers of length-2 words
    assert len(primitive_loops(sg, 4, prune=False)) == count_loops(4, 4, 4)
    # with pruning only loops holding a pair worth more than ⊤ (1): (C,C)=2 or (D,C)=3
    good = primitive_loops(sg, 3, prune=True)
    assert len(good) == count_loops(4, 2, 3) == (64 - 8) - 2


def test_automata_are_exactly_the_distinct_two_state_behaviours(sg):
    """Brute force: every 2-state deterministic opponent either behaves like a constant or
    like exactly one enumerated automaton; enumerated ones are pairwise distinct."""
    out, delta = minimal_automata(sg, 2)
    words = [w for L in range(5) for w in itertools.product(range(2), repeat=L)]

    def behaviour(o, d):
        sig = []
        for w in words:
            q = 0
            for a in w:
                q = d[q][a]
            sig.append(o[q])
        return tuple(sig)

    enumerated = [behaviour(o, d) for o, d in zip(out.tolist(), delta.tolist())]
    assert len(set(enumerated)) == len(enumerated) == 24
    constants = {behaviour((o,), ((0, 0),)) for o in range(2)}
    for o in itertools.product(range(2), repeat=2):
        for d in itertools.product(range(2), repeat=4):
            b = behaviour(o, (d[:2], d[2:]))
            assert (b in constants) != (b in enumerated)


def test_estimate_size_matches_the_built_space(sg):
    spec = SpaceSpec(max_password=3, max_loop=3, max_automaton=2)
    est = estimate_size(sg, spec)
    space = build_space(sg, spec)
    assert est["hypotheses"] == space.n_hypotheses and est["rows"] == space.n_rows
