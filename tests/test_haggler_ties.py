"""Tie-breaking of the haggler: ``"random"`` draws uniformly among the equally good actions
(chi-square over seeds) from the seat's own generator, ``"first"`` takes the lowest."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import strategies
import tournament
from strategies.haggler import IBHaggler
from strategies.haggler import hypotheses as hy
from strategies.haggler.value_iteration import q_values

# Seat 0 has three actions: "a" and "b" earn exactly the same against everything, "c" is
# safe. Against an opponent that always plays its first action the best hypothesis
# ("the other always plays x") makes a and b equally good (2 > 1), c strictly worse.
TIED = tournament.Game(
    np.array([[[2, 0], [0, 0]], [[2, 0], [0, 0]], [[1, 0], [1, 0]]], dtype=float),
    actions=[["a", "b", "c"], ["x", "y"]],
    name="tied",
)
N_SEEDS = 400


def _round0_counts(game, make, seat_opponent, n=N_SEEDS, k=None):
    counts = np.zeros(k or game.n_actions[0], dtype=int)
    for seed in range(n):
        m = tournament.play_match(game, [make()] + seat_opponent, turns=20, seed=seed)
        counts[m.actions[0, 0]] += 1
        assert len(set(m.actions[:, 0].tolist())) == 1  # the drawn policy is kept while h holds
    return counts


def test_random_is_uniform_among_the_tied_actions_of_the_followed_policy():
    make = lambda: IBHaggler(classes=["top", "constant"])  # noqa: E731
    counts = _round0_counts(TIED, make, [strategies.get("fixed", action="x")])
    assert counts[2] == 0  # never the worse action
    assert stats.chisquare(counts[:2]).pvalue > 1e-3, counts
    # "first" is the lowest equally good action, every time
    first = _round0_counts(
        TIED,
        lambda: IBHaggler(classes=["top", "constant"], tie_break="first"),
        [strategies.get("fixed", action="x")],
        n=30,
    )
    assert first.tolist() == [30, 0, 0]


@pytest.mark.slow
def test_random_is_uniform_among_tops_maximin_actions():
    """In the sacrifice vote every vote has maximin 0: a haggler that holds only ⊤ votes
    uniformly at random for one of the three, and keeps that vote."""
    g = tournament.games.get("sacrifice_vote")
    sg = hy.SeatGame.of(g, 0)
    assert np.all(sg.reward.min(axis=1) == sg.maximin)  # all three tied
    counts = np.zeros(3, dtype=int)
    for seed in range(300):
        m = tournament.play_match(g, [IBHaggler(classes=["top"]), "random", "random"], turns=10, seed=seed)
        counts[m.actions[0, 0]] += 1
        assert len(set(m.actions[:, 0].tolist())) == 1
    assert stats.chisquare(counts).pvalue > 1e-3, counts


def test_random_is_reproducible_for_a_seed_and_varies_with_the_seed():
    g = tournament.games.get("schelling_pub")

    def run(seed):
        m = tournament.play_match(g, [IBHaggler(), IBHaggler()], turns=1500, seed=seed)
        return m.actions, [s.switches for s in m.strategies]

    a1, s1 = run(4)
    a2, s2 = run(4)
    assert np.array_equal(a1, a2) and s1 == s2
    assert len({run(seed)[0].tobytes() for seed in range(6)}) > 1


def test_random_plays_an_optimal_policy_of_the_hypothesis_in_use():
    """Replay: every action is one of the equally good actions of the current state of the
    hypothesis in use, and the same state gets the same action while that hypothesis holds."""
    g = tournament.games.get("cake_splitting")
    m = tournament.play_match(g, [IBHaggler(), IBHaggler(), IBHaggler()], turns=400, seed=2)
    for seat in range(3):
        agent = m.strategies[seat]
        sg = hy.SeatGame.of(g, seat)
        space, sol = agent.space, agent.prepared.solved
        q = q_values(space.next_rows, sg.reward, sol.values, 0.99)
        hyp = m.traces[seat]["hypothesis"]
        chosen: dict = {}
        for t in range(m.turns):
            h = int(hyp[t])
            pairs = [(int(r[seat]), sg.observation_of(r)) for r in m.actions[: t + 1]]
            states, falsified = space.hypothesis(h).run(pairs[:t])
            assert falsified is None
            s = space.hypothesis(h).run(pairs[:t] + [(0, 0)])[0][-1]
            row = int(space.rows_of(h)[s])
            a = int(m.actions[t, seat])
            assert sol.ties[row, a] and q[a, row] >= sol.values[row] - sg.tolerance
            start = max(r for r, *_ in agent.switches if r <= t)
            assert chosen.setdefault((start, row), a) == a


def test_ties_are_the_actions_within_the_tolerance_and_first_is_the_lowest():
    h = IBHaggler(prior="default")
    for game in ("schelling_pub", "demand_3p", "prisoners_dilemma"):
        g = tournament.games.get(game)
        sg = hy.SeatGame.of(g, 0)
        sol = h.prepare(g, 0).solved
        q = q_values(sol.space.next_rows, sg.reward, sol.values, 0.99)
        assert np.array_equal(sol.ties, (q >= sol.values - sg.tolerance).T)
        assert np.array_equal(sol.policy, np.argmax(sol.ties, axis=1))


def test_tolerance_is_relative_to_the_value_scale():
    pd_ = tournament.games.get("prisoners_dilemma")
    big = tournament.games.get("prisoners_dilemma", R=2e6, S=0, T=3e6, P=1e6)
    assert hy.SeatGame.of(pd_, 0).tolerance == pytest.approx(3e-12)
    assert hy.SeatGame.of(big, 0).tolerance == pytest.approx(3e-6)
    # the same game at any scale: the same play
    a = tournament.play_match(pd_, [IBHaggler(), IBHaggler()], turns=300, seed=1).actions
    b = tournament.play_match(big, [IBHaggler(), IBHaggler()], turns=300, seed=1).actions
    assert np.array_equal(a, b)


def test_tie_break_is_checked():
    with pytest.raises(
        tournament.errors.StrategyError, match=r"tie_break: expected one of \['random', 'first'\], got 'last'"
    ):
        strategies.get("ib_haggler", tie_break="last")
    assert "tie_break='first'" in repr(IBHaggler(tie_break="first")) and "tie_break" not in repr(IBHaggler())
