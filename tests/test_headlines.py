"""Headline figures say only what the runs show: the settled rule, rates that do not apply,
identical repetitions as one observation, standings intervals that respect the dependence
between an entrant's seats, and loud forfeits."""

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from strategies import Strategy
from tournament import games, play_match, run_scenario
from tournament.analysis import match_columns, summary_fields
from tournament.analysis.observations import mean_interval
from tournament.analysis.standings import standings
from tournament.cli import main

ROOT = Path(__file__).resolve().parents[1]
PD = games.get("prisoners_dilemma")


def rr(entrants, **tournament):
    t = {"turns": 200, "repetitions": 5}
    t.update(tournament)
    return {
        "name": "rr",
        "seed": 11,
        "game": {"name": "prisoners_dilemma"},
        "tournament": t,
        "report": {"plots": False},
        "entrants": [{"strategy": s} for s in entrants],
    }


# ------------------------------------------------------------------ the settled rule
def test_a_few_equal_rounds_at_the_end_are_not_a_settled_match():
    rng = np.random.default_rng(0)
    log = np.concatenate([rng.integers(0, 2, size=(192, 2)), np.zeros((8, 2), dtype=int)])
    log[191] = [1, 1]  # the constant (C, C) tail is exactly the last 8 rounds
    pay = PD.payoff_vectors[log[:, 0] * 2 + log[:, 1]]
    assert match_columns(PD, log, pay)["settled"] is False  # default: the cycle must cover 25% of the rounds
    loose = match_columns(PD, log, pay, cycle_min_tail=0.0)
    assert loose["settled"] is True and loose["cycle_onset"] == 192
    # a cycle over the last quarter is enough, one round less is not
    log[:150] = rng.integers(0, 2, size=(150, 2))
    log[149] = [1, 1]
    log[150:] = 0
    assert match_columns(PD, log, pay)["settled"] is True
    log[150] = [1, 1]
    assert match_columns(PD, log, pay)["settled"] is False


@pytest.mark.slow
def test_noisy_play_rarely_settles_under_the_default_rule_and_the_rule_is_reported(tmp_path):
    sc = rr(["tit_for_tat", "grim", "win_stay_lose_shift"], noise=0.05, repetitions=10)
    loose = run_scenario({**sc, "analysis": {"cycle_min_tail": 0.0}}).summary
    strict = run_scenario(sc, out=tmp_path / "o").summary
    assert loose["rates"]["settled"]["fraction"] > 0.3  # short chance tails at the end count
    assert strict["rates"]["settled"]["fraction"] < 0.1
    rule = strict["settled_rule"]
    assert (rule["cycle_min_repeats"], rule["cycle_min_tail"]) == (3, 0.25)
    assert "at least 25% of the rounds" in rule["text"]
    md = (tmp_path / "o" / "report.md").read_text()
    assert "settled means: " + rule["text"] in md
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["settled_rule"] == rule


def test_settled_onset_statistics_say_how_far_into_the_match():
    s = run_scenario(rr(["tit_for_tat", "alternator", "grim"], turns=100)).summary
    assert s["cycles"]["onset_share_median"] < 0.1


# ------------------------------------------------------------------ rates that do not apply
def test_one_round_matches_have_no_cycle_rates(tmp_path):
    out = tmp_path / "hd"
    r = run_scenario(ROOT / "scenarios" / "population_replicator_hawk_dove.toml", out=out)
    assert "rates" not in r.summary and "settled_rule" not in r.summary and "cycles" not in r.summary
    m = pd.read_csv(out / "matches.csv")
    assert m["settled"].isna().all() and m["pareto_optimal"].isna().all()
    md = (out / "report.md").read_text()
    assert "settled" not in md.lower() and "0.0%" not in md and "Pareto-optimal" not in md
    # what the standings mean here, and who wins the population
    assert "## Standings of the types" in md and "not success in the population" in md
    assert "Largest final share: **Hawk**" in md
    st = {row["entrant"]: row for row in r.summary["standings"]}
    assert st["Dove"]["rank"] == 1 and st["Dove"]["deterministic"]


def test_two_player_games_have_no_coalition_rates():
    s = run_scenario(rr(["tit_for_tat", "alternator"], turns=30)).summary
    assert "coalition_formed" not in s["rates"] and "coalitions" not in s


# ------------------------------------------------------------------ collapsed repetitions
class Fickle(Strategy):
    """Deterministic in fact, but (like any user strategy by default) declared stochastic."""

    def choose(self, view):
        return "D" if view.round % 3 == 2 else "C"


def test_identical_repetitions_are_one_observation(tmp_path):
    sc = rr(["tit_for_tat", "grim", "alternator"], repetitions=10, turns=50)
    sc["entrants"].append({"strategy": Fickle, "name": "fickle"})
    out = tmp_path / "o"
    r = run_scenario(sc, out=out)
    st = r.standings.set_index("entrant")
    # 3 opponents each, 10 identical repetitions: 3 observations, 30 match-seats, an exact mean
    assert (st["n"] == 3).all() and (st["seats"] == 30).all() and st["deterministic"].all()
    assert (st["ci_low"] == st["mean_payoff"]).all() and (st["ci_high"] == st["mean_payoff"]).all()
    m = r.matches
    # the engine knows the classics are deterministic; fickle's matches are recognised by their logs
    assert m.loc[m.entrant_1 == "fickle", "deterministic"].eq(False).all()
    assert m.groupby(["entrant_0", "entrant_1"])["log_digest"].nunique().eq(1).all()
    settled = r.summary["rates"]["settled"]
    assert settled["deterministic"] and settled["observations"] == 6 and settled["n"] == 60
    assert settled["ci_low"] == settled["ci_high"] == settled["fraction"]
    md = (out / "report.md").read_text()
    assert "deterministic: one observation" in md and "[1.0000, 1.0000]" not in md


def test_random_repetitions_stay_separate_observations():
    r = run_scenario(rr(["random", "tit_for_tat"], repetitions=6, turns=40, self_play=True))
    st = r.standings.set_index("entrant")
    # random: 2 random seatings x 6 repetitions; tit_for_tat: 6 against random, 1 (deterministic) against itself
    assert not st["deterministic"].any() and (st.loc["random", "n"], st.loc["tit_for_tat", "n"]) == (12, 7)
    assert (st["ci_high"] > st["ci_low"]).all()
    rate = r.summary["rates"]["settled"]
    # (tft, tft) is deterministic (one observation), the 12 others are random
    assert rate["observations"] == 13 and not rate["deterministic"]


# ------------------------------------------------------------------ standings intervals
def test_a_constant_sum_self_play_match_has_no_spread():
    # matching pennies against itself: the two seats' payoffs always sum to 0, so the entrant's
    # mean over its seats is exactly 0 in every match; treating the seats as independent
    # observations would give a wide interval around it
    sc = {
        "name": "mp",
        "seed": 3,
        "game": {"name": "matching_pennies"},
        "tournament": {"turns": 20, "repetitions": 8, "self_play": True},
        "report": {"plots": False},
        "entrants": [{"strategy": "random"}],
    }
    r = run_scenario(sc)
    row = r.summary["standings"][0]
    assert row["mean_payoff"] == 0.0 and row["ci_low"] == row["ci_high"] == 0.0
    assert (row["n"], row["seats"]) == (8, 16)
    seats = np.concatenate([r.matches["payoff_0"], r.matches["payoff_1"]])
    assert seats.std() > 0.1  # the seats do vary: only their dependence makes the mean exact


@pytest.mark.slow
def test_standings_interval_coverage_with_dependent_seats():
    """Known case: one entrant in self-play whose two seats get the same payoff u ~ N(1, 1).
    The clustered interval covers the true mean 1 in ~95% of tournaments; one that treats
    the 2R seats as independent covers it in ~83% only (it is too narrow by sqrt(2))."""
    rng = np.random.default_rng(2024)
    R, trials = 20, 600
    ours = naive = 0
    for _ in range(trials):
        u = rng.normal(1.0, 1.0, R)
        iv = mean_interval(2 * u, np.full(R, 2), np.zeros(R, dtype=int), np.zeros(R, dtype=bool))
        ours += iv["ci_low"] <= 1.0 <= iv["ci_high"]
        x = np.concatenate([u, u])
        naive += abs(x.mean() - 1.0) <= 1.96 * x.std(ddof=1) / math.sqrt(2 * R)
    assert 0.92 <= ours / trials <= 0.975
    assert 0.76 <= naive / trials <= 0.88


@pytest.mark.slow
def test_stratified_interval_coverage_and_width():
    """Known case with three seatings: self-play (correlated seats), a random pairing, and a
    deterministic one that adds no noise. Coverage ~95%; the width halves when the
    repetitions quadruple; the deterministic seating does not widen it."""
    rng = np.random.default_rng(5)

    def tournament(R, det_value=3.0):
        y = np.concatenate([2 * rng.normal(1, 1, R), rng.normal(2, 0.5, R), np.full(R, det_value)])
        c = np.concatenate([np.full(R, 2), np.ones(R), np.ones(R)])
        s = np.repeat([0, 1, 2], R)
        return mean_interval(y, c, s, s == 2)

    true = (2 * 1 + 2 + 3) / 4
    trials = 600
    cover = sum(iv["ci_low"] <= true <= iv["ci_high"] for iv in (tournament(4) for _ in range(trials)))
    assert 0.92 <= cover / trials <= 0.975
    width = {R: np.mean([tournament(R)["ci_high"] - tournament(R)["ci_low"] for _ in range(200)]) for R in (8, 32)}
    # about 1/2 (a little less: more repetitions also give more degrees of freedom)
    assert 0.38 <= width[32] / width[8] <= 0.52
    iv = tournament(8)
    assert iv["n"] == 17 and iv["seats"] == 32  # 8 + 8 random matches, the deterministic seating once
    # the deterministic seating's value moves the mean, not the interval's width
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    rng = a
    w1 = tournament(8, 3.0)
    rng = b
    w2 = tournament(8, 30.0)
    assert w1["ci_high"] - w1["ci_low"] == pytest.approx(w2["ci_high"] - w2["ci_low"])


def test_standings_use_the_match_as_the_unit():
    # the same numbers through standings() and mean_interval(): (A, A) self-play and (A, B)
    m = pd.DataFrame(
        {
            "match_id": range(6),
            "repetition": [0, 0, 1, 1, 2, 2],
            "entrant_0": ["A", "A"] * 3,
            "entrant_1": ["A", "B"] * 3,
            "payoff_0": [1.0, 2.0, 3.0, 2.5, 2.0, 1.5],
            "payoff_1": [1.0, 0.0, 1.0, 0.5, 2.0, 1.0],
        }
    )
    st = standings(m, 2).set_index("entrant")
    iv = mean_interval([2.0, 2.0, 4.0, 2.5, 4.0, 1.5], [2, 1, 2, 1, 2, 1], [0, 1, 0, 1, 0, 1], [False] * 6)
    assert st.loc["A", "mean_payoff"] == pytest.approx(16 / 9)
    assert (st.loc["A", "ci_low"], st.loc["A", "ci_high"]) == pytest.approx((iv["ci_low"], iv["ci_high"]))
    assert (st.loc["A", "n"], st.loc["A", "seats"]) == (6, 9)
    assert st.loc["B", "n"] == 3 and st.loc["A", "rank"] == 1


# ------------------------------------------------------------------ forfeits
ALWAYS_FAILS = textwrap.dedent("""
    from strategies import Strategy

    class Broken(Strategy):
        stochastic = False
        def choose(self, view):
            if view.round == 2:
                raise ValueError("broken on purpose")
            return 0
""")


def forfeit_file(tmp_path, entrants):
    (tmp_path / "broken.py").write_text(ALWAYS_FAILS)
    f = tmp_path / "s.toml"
    f.write_text(
        'seed = 1\n[game]\nname = "prisoners_dilemma"\n[tournament]\nturns = 10\nrepetitions = 2\n'
        'self_play = true\non_error = "forfeit"\n[report]\nplots = false\n'
        + "".join(f'[[entrants]]\nstrategy = "{s}"\n' for s in entrants)
    )
    return f


def test_a_run_where_every_match_failed_exits_1_and_says_so(tmp_path, capsys):
    f = forfeit_file(tmp_path, ["broken.py:Broken"])
    out = tmp_path / "out"
    assert main(["run", str(f), "--out", str(out)]) == 1
    cap = capsys.readouterr()
    assert "all 2 matches failed" in cap.err and "first errors:" in cap.err
    assert (
        "strategy 'broken.py:Broken', seat 0, match 0, round 2: choose raised ValueError: broken on purpose" in cap.err
    )
    assert "match 1, round 2" in cap.err  # the replayed deterministic failure names its own match
    assert " nan" not in cap.out.lower() and "None" not in cap.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["failed_matches"] == 2 and "rates" not in summary
    assert summary["standings"][0]["rank"] is None
    md = (out / "report.md").read_text()
    assert "## Failed matches" in md and "**All 2 matches failed**" in md


def test_a_run_with_some_failed_matches_warns_and_exits_0(tmp_path, capsys):
    f = forfeit_file(tmp_path, ["tit_for_tat", "broken.py:Broken"])
    assert main(["run", str(f), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "warning: 4 of 6 matches failed" in err and "broken on purpose" in err
    md = (tmp_path / "out" / "report.md").read_text()
    assert "**4 of 6 matches failed**" in md


def test_summary_fields_without_finished_matches():
    m = pd.DataFrame(
        {
            "match_id": [0],
            "repetition": [0],
            "entrant_0": ["a"],
            "entrant_1": ["b"],
            "payoff_0": [math.nan],
            "payoff_1": [math.nan],
            "turns": [2],
            "settled": [None],
            "status": ["failed"],
            "error": ["boom"],
        }
    )
    assert summary_fields(PD, m) == {"failed_matches": 1, "first_errors": ["boom"]}


def test_deterministic_play_has_identical_digests():
    a = play_match(PD, ["tit_for_tat", "alternator"], turns=30, seed=1)
    b = play_match(PD, ["tit_for_tat", "alternator"], turns=30, seed=2)
    c = play_match(PD, ["tit_for_tat", "alternator"], turns=31, seed=1)
    da, db, dc = (match_columns(PD, x.actions, x.payoffs)["log_digest"] for x in (a, b, c))
    assert da == db != dc


def test_with_noise_identical_logs_are_chance_not_determinism():
    # 10-round matches with 2% noise often repeat a log by chance; they stay separate observations
    r = run_scenario(rr(["tit_for_tat", "grim"], noise=0.02, turns=10, repetitions=6))
    assert r.matches["log_digest"].nunique() < len(r.matches)  # some repetitions did coincide
    row = r.summary["standings"][0]
    assert row["n"] == 6 and not row["deterministic"]
    assert r.summary["rates"]["settled"]["observations"] == 6


def test_rates_use_the_one_proportion_interval():
    # the rates' Wilson interval is analysis.stats.proportion_ci (scipy's), with its known values
    from scipy.stats import binomtest

    from tournament.analysis.observations import wilson
    from tournament.analysis.stats import proportion_ci

    assert proportion_ci(0, 10)[1:] == pytest.approx((0.0, 0.27753279), abs=1e-8)
    assert proportion_ci(10, 10)[1:] == pytest.approx((0.72246721, 1.0), abs=1e-8)
    pairs = [(0, 1), (1, 1), (5, 20), (0, 50), (50, 50), (3, 7), (999, 1000)]
    pairs += [(k, n) for n in (2, 3, 11, 30, 97, 400, 12345) for k in range(0, n + 1, max(1, n // 9))]
    for k, n in pairs:  # the closed form gives scipy's bits
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        w = wilson(k, n)
        assert (w["ci_low"], w["ci_high"]) == (ci.low, ci.high)
        assert w["fraction"] == k / n and w["count"] == k and w["n"] == n
