"""Stable cycles: known logs, the definition checked against brute force, planted cycles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournament import games, play_match
from tournament.analysis import find_cycle, match_columns

PD = games.get("prisoners_dilemma")


def brute_force(codes, reps=3):
    """The stable-cycle definition of docs/statistics.md ("Settled"), literally: smallest p,
    earliest onset, >= reps periods."""
    T = len(codes)
    for p in range(1, T // reps + 1):
        t0 = T - p
        while t0 > 0 and codes[t0 - 1] == codes[t0 - 1 + p]:
            t0 -= 1
        if T - t0 >= reps * p:
            return p, t0
    return None


def test_tft_vs_alternator_period_two():
    m = play_match(PD, ["tit_for_tat", "alternator"], turns=100, seed=0)
    c = find_cycle(m.actions)
    assert (c.period, c.onset) == (2, 1)
    assert c.mean_payoff(m.payoffs).tolist() == [1.5, 1.5]
    assert c.mean_payoff(PD).tolist() == [1.5, 1.5]
    assert sorted(map(tuple, c.profiles.tolist())) == [(0, 1), (1, 0)]


def test_tft_vs_tft_settles_at_cc():
    m = play_match(PD, ["tit_for_tat", "tit_for_tat"], turns=50, seed=0)
    c = find_cycle(m.actions)
    assert (c.period, c.onset, c.repeats) == (1, 0, 50)
    assert c.profiles.tolist() == [[0, 0]]


def test_no_repetition_is_not_settled():
    assert find_cycle(np.arange(30)[:, None]) is None
    # two repetitions are not enough, three are
    assert find_cycle(np.array([5, 1, 2, 1, 2])[:, None]) is None
    c = find_cycle(np.array([5, 1, 2, 1, 2, 1, 2])[:, None])
    assert (c.period, c.onset) == (2, 1)
    assert find_cycle(np.zeros((0, 2), dtype=int)) is None


def test_smallest_period_and_earliest_onset():
    # the tail (1,2,1,2,...) also has period 4; the smallest wins; onset is the first round
    # from which the log is periodic to the end
    log = [0, 0, 3, 1, 2, 1, 2, 1, 2, 1, 2]
    c = find_cycle(np.array(log)[:, None])
    assert (c.period, c.onset) == (2, 3)
    # a constant tail of 3 is a period-1 cycle even after a long period-2 stretch
    log = [1, 2] * 20 + [7, 7, 7]
    assert (find_cycle(np.array(log)[:, None]).period, find_cycle(np.array(log)[:, None]).onset) == (1, 40)


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.lists(st.integers(0, 9), max_size=40),
    cycle=st.lists(st.integers(0, 9), min_size=1, max_size=7, unique=True),
    reps=st.integers(3, 9),
)
def test_planted_cycle_is_recovered_after_any_prefix(prefix, cycle, reps):
    # a cycle of distinct profiles has no shorter period, so it is exactly what must be found
    log = np.array(prefix + cycle * reps)
    c = find_cycle(np.stack([log, log % 2], axis=1))
    assert c is not None and c.period == len(cycle)
    assert c.onset <= len(prefix)
    assert c.repeats >= reps
    start = c.onset
    assert c.profiles[:, 0].tolist() == log[start : start + len(cycle)].tolist()
    assert sorted(c.profiles[:, 0].tolist()) == sorted(cycle)
    assert (c.period, c.onset) == brute_force(list(log))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 2), max_size=80))
def test_matches_brute_force_definition(log):
    c = find_cycle(np.array(log, dtype=int)[:, None])
    got = None if c is None else (c.period, c.onset)
    assert got == brute_force(log)


def test_match_columns_for_known_logs():
    m = play_match(PD, ["tit_for_tat", "alternator"], turns=100, seed=0)
    row = match_columns(PD, m.actions, m.payoffs)
    assert row["settled"] and row["cycle_period"] == 2 and row["cycle_onset"] == 1
    assert (row["cycle_payoff_0"], row["cycle_payoff_1"]) == (1.5, 1.5)
    assert row["pareto_optimal"] is False and row["pareto_gap"] == pytest.approx(1.0)
    assert row["pareto_profile_share"] == 1.0  # (C,D) and (D,C) are Pareto-optimal pure profiles
    m = play_match(PD, ["tit_for_tat", "tit_for_tat"], turns=100, seed=0)
    row = match_columns(PD, m.actions, m.payoffs)
    assert row["settled"] and row["pareto_optimal"] is True and row["pareto_gap"] == 0.0
    # two fair coins, this seed: the log ends in no cycle repeated often enough, so the row says
    # "not settled" and leaves every cycle column empty (no Pareto verdict without a cycle)
    m = play_match(PD, ["random", "random"], turns=60, seed=1)
    row = match_columns(PD, m.actions[:58], m.payoffs[:58])
    assert row["settled"] is False
    assert np.isnan(row["cycle_period"]) and np.isnan(row["cycle_onset"]) and np.isnan(row["cycle_payoff_0"])
    assert row["pareto_optimal"] is False and np.isnan(row["pareto_gap"]) and np.isnan(row["pareto_profile_share"])


def test_min_length_rejects_short_chance_tails():
    log = np.array([0, 1, 2, 3, 4, 5, 6, 7, 1, 1, 1])[:, None]
    assert find_cycle(log).period == 1
    assert find_cycle(log, min_length=5) is None
    log = np.array([9, 8] + [1, 2] * 10 + [3, 3, 3])[:, None]
    c = find_cycle(log, min_length=10)  # the constant tail is too short; the alternation is not
    assert c is None  # the alternation does not reach the end
    log = np.array([9, 8] + [1, 2] * 10)[:, None]
    c = find_cycle(log, min_length=15)
    assert (c.period, c.onset) == (2, 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2), max_size=60), st.integers(0, 40))
def test_min_length_matches_brute_force(log, min_length):
    def brute(codes):
        T = len(codes)
        for p in range(1, T // 3 + 1):
            t0 = T - p
            while t0 > 0 and codes[t0 - 1] == codes[t0 - 1 + p]:
                t0 -= 1
            if T - t0 >= max(3 * p, min_length):
                return p, t0
        return None

    c = find_cycle(np.array(log, dtype=int)[:, None], min_length=min_length)
    assert (None if c is None else (c.period, c.onset)) == brute(log)
