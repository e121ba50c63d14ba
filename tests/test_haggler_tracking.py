"""Tracking every hypothesis along a history: falsification timing, the consistent set only shrinks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tournament
from strategies.haggler import Tracker
from strategies.haggler import hypotheses as hy
from strategies.haggler.space import SpaceSpec, build_space

PD = tournament.games.get("prisoners_dilemma")
C, D = 0, 1
SG = hy.SeatGame.of(PD, 0)
SPACE = build_space(SG, SpaceSpec(max_password=2, max_loop=2, max_automaton=2, prune=False))


def _find_password(space, p, loop) -> int:
    for h in range(space.n_hypotheses):
        if space.kind_name(h) == "password" and space.password_parts(h) == (p, loop):
            return h
    raise AssertionError("not in the space")


def test_hand_built_history_falsifies_exactly_once_at_the_right_round():
    h = _find_password(SPACE, (D, C), ((C, C),))  # password DC then loop (C,C)
    tft = next(
        i
        for i in range(SPACE.n_hypotheses)
        if SPACE.kind_name(i) == "automaton" and SPACE.hypothesis(i).info == ((C, D), ((0, 1), (0, 1)))
    )
    const_c = next(
        i for i in range(SPACE.n_hypotheses) if SPACE.kind_name(i) == "constant" and SPACE.hypothesis(i).info == (C,)
    )
    # round:     0       1       2       3       4       5
    pairs = [(D, D), (C, D), (C, C), (C, C), (C, D), (D, D)]
    # DC then (C,C): s0 -D-> s1 -C-> l1, (C,C) keeps l1 twice, (C,D) in round 4 falsifies it.
    # TFT: starts showing C, so the D seen in round 0 falsifies it at once.
    # constant C: falsified in round 0 as well.
    tracker = Tracker(SPACE)
    alive = []
    for a, o in pairs:
        tracker.update(a, o)
        alive.append(set(tracker.ids().tolist()))
    assert [h in s for s in alive] == [True, True, True, True, False, False]
    assert [tft in s for s in alive] == [False] * 6 and const_c not in alive[0]
    assert 0 in alive[-1]  # ⊤ is never falsified
    # local states along the way
    t2 = Tracker(SPACE)
    states = []
    for a, o in pairs[:4]:
        t2.update(a, o)
        states.append(t2.state_of(h))
    assert states == [1, 2, 2, 2]  # s1, then l1 (index 2) for good


pair = st.tuples(st.integers(0, 1), st.integers(0, 1))


@settings(max_examples=40, deadline=None)
@given(st.lists(pair, min_size=1, max_size=25))
def test_tracker_matches_each_hypothesis_run_and_only_shrinks(pairs):
    tracker = Tracker(SPACE)
    falsified_at = np.full(SPACE.n_hypotheses, -1)
    previous = set(range(SPACE.n_hypotheses))
    for t, (a, o) in enumerate(pairs):
        tracker.update(a, o)
        now = set(tracker.ids().tolist())
        assert now <= previous  # the consistent set only shrinks
        assert np.all(np.diff(tracker.ids()) > 0)  # one row per hypothesis, in id order
        for h in previous - now:
            falsified_at[h] = t
        previous = now
    for h in range(SPACE.n_hypotheses):
        _, expected = SPACE.hypothesis(h).run(pairs)
        assert falsified_at[h] == (-1 if expected is None else expected), SPACE.describe(h)
    # the surviving hypotheses sit in the state their own run ends in
    for h in list(previous)[:50]:
        states, _ = SPACE.hypothesis(h).run(pairs + [(0, 0)])
        assert tracker.state_of(h) == states[-1]
