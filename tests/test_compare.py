"""Comparing populations side by side, ``tournament compare``, and ``[sweep]``."""

import json
import textwrap

import pandas as pd
import pytest
from conftest import write_toml

from tournament import ScenarioError, load_scenario, run_scenario
from tournament.analysis.comparison import comparison_table, metrics_of, overlaps
from tournament.cli import main


def noisy_pd(populations, seed=5, **tournament):
    t = {"turns": 40, "repetitions": 6, "noise": 0.05}
    t.update(tournament)
    return {
        "name": "cmp",
        "seed": seed,
        "game": {"name": "prisoners_dilemma"},
        "tournament": t,
        "populations": populations,
    }


TFT = {"name": "all TFT", "entrants": [{"strategy": "tit_for_tat", "count": 3}]}
TFT_RENAMED = {"name": "tit-for-tats", "entrants": [{"strategy": "tit_for_tat", "name": "TFT", "count": 3}]}
ALLD = {"name": "all defect", "entrants": [{"strategy": "always_defect", "count": 3}]}


@pytest.mark.slow
def test_naming_does_not_change_results_and_intervals_overlap(tmp_path):
    r = run_scenario(noisy_pd([TFT, TFT_RENAMED, ALLD]), out=tmp_path)
    table = pd.read_csv(tmp_path / "comparison.csv")
    same = overlaps(table, "all TFT", "tit-for-tats")
    pooled = same[same.metric == "population_mean_payoff"]
    assert len(pooled) == 1 and pooled["separated"].iloc[0] is False
    assert pooled["estimate_all TFT"].iloc[0] == pooled["estimate_tit-for-tats"].iloc[0]  # common random numbers
    a = table[(table.population == "all TFT") & (table.metric == "mean_payoff")]["estimate"].tolist()
    b = table[(table.population == "tit-for-tats") & (table.metric == "mean_payoff")]["estimate"].tolist()
    assert a == b
    diff = overlaps(table, "all TFT", "all defect")
    row = diff[diff.metric == "population_mean_payoff"].iloc[0]
    assert row["separated"] is True and row["ci_low_all TFT"] > row["ci_high_all defect"]
    report = (tmp_path / "report.md").read_text()
    assert report.count("## Comparison of populations") == 1
    assert "population mean payoff of all: all TFT > all defect" in report
    assert (tmp_path / "comparison_metrics.png").exists()
    assert set(r.summary["populations"]) == {"all TFT", "tit-for-tats", "all defect"}


@pytest.mark.slow
def test_population_kinds_compare_final_shares_and_fixation(tmp_path):
    sc = {
        "name": "moran cmp",
        "seed": 2,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": "moran", "turns": 20, "runs": 150},
        "populations": [
            {
                "name": "tft residents",
                "entrants": [
                    {"strategy": "tit_for_tat", "name": "resident", "count": 9},
                    {"strategy": "always_defect", "name": "mutant"},
                ],
            },
            {
                "name": "allc residents",
                "entrants": [
                    {"strategy": "always_cooperate", "name": "resident", "count": 9},
                    {"strategy": "always_defect", "name": "mutant"},
                ],
            },
        ],
    }
    run_scenario(sc, out=tmp_path)
    table = pd.read_csv(tmp_path / "comparison.csv")
    fix = overlaps(table, "tft residents", "allc residents")
    mutant = fix[(fix.metric == "fixation_probability") & (fix["item"] == "mutant")].iloc[0]
    # a defector invades cooperators easily but not tit-for-tat
    assert mutant["separated"] is True
    assert mutant["estimate_allc residents"] > 0.5 > mutant["estimate_tft residents"]
    assert (tmp_path / "comparison_shares.png").exists()
    assert {"final_share", "fixation_probability", "population_mean_payoff"} <= set(table.metric)


def test_rates_are_read_from_the_summary_not_recomputed():
    summary = {
        "standings": [{"entrant": "x", "mean_payoff": 1.0, "ci_low": 0.9, "ci_high": 1.1, "n": 4}],
        "overall": {"mean": 1.5, "ci_low": 1.2, "ci_high": 1.8, "n": 4},
        "rates": {
            "settled": {"fraction": 0.25, "ci_low": 0.1, "ci_high": 0.5, "n": 40},
            "pareto_optimal": {"fraction": 0.5, "ci_low": 0.3, "ci_high": 0.7, "n": 40},
        },
    }
    rows = {(r["metric"], r["item"]): r for r in metrics_of(summary)}
    assert rows[("rate", "settled")]["estimate"] == 0.25 and rows[("rate", "settled")]["ci_high"] == 0.5
    assert rows[("population_mean_payoff", "all")]["estimate"] == 1.5  # the summary's, not pooled standings
    assert ("population_mean_payoff", "all") not in {
        (r["metric"], r["item"]) for r in metrics_of({k: v for k, v in summary.items() if k != "overall"})
    }
    t = comparison_table({"a": summary, "b": summary})
    assert len(t) == 2 * len(rows) and set(t.population) == {"a", "b"}


@pytest.mark.slow
def test_compare_command_across_files(tmp_path, capsys):
    body = """
    [game]
    name = "prisoners_dilemma"
    [tournament]
    turns = 40
    repetitions = 8
    noise = 0.05
    [[entrants]]
    strategy = "{s}"
    count = 3
    """
    a = write_toml(tmp_path, name="a.toml", text="seed = 1\n" + textwrap.dedent(body).format(s="tit_for_tat"))
    b = write_toml(tmp_path, name="b.toml", text="seed = 2\n" + textwrap.dedent(body).format(s="tit_for_tat"))
    c = write_toml(tmp_path, name="c.toml", text="seed = 1\n" + textwrap.dedent(body).format(s="always_defect"))
    out = tmp_path / "cmp"
    assert main(["compare", str(a), str(b), str(c), "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.population) == {"a", "b", "c"}
    # same population, different seeds: the intervals overlap; a different population: separated
    ab = overlaps(table, "a", "b")
    assert not ab["separated"].any()
    ac = overlaps(table, "a", "c")
    assert ac[ac.metric == "population_mean_payoff"]["separated"].iloc[0] is True
    summary = json.loads((out / "comparison.json").read_text())
    assert summary["populations"]["b"]["seed"] == 2 and (out / "a" / "summary.json").exists()
    assert "Comparison of populations" in (out / "report.md").read_text()


def test_compare_rejects_different_games(tmp_path, capsys):
    a = write_toml(
        tmp_path, name="a.toml", text='[game]\nname = "prisoners_dilemma"\n[[entrants]]\nstrategy = "grim"\ncount = 2\n'
    )
    b = write_toml(
        tmp_path,
        name="b.toml",
        text='[game]\nname = "prisoners_dilemma"\nparams = { T = 4 }\n[[entrants]]\nstrategy = "grim"\ncount = 2\n',
    )
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "b.toml" in err and "a.toml" in err and "payoffs differ" in err and "(C,D)" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_sweep_runs_each_point_as_a_population(tmp_path):
    sc = {
        "name": "sweep",
        "seed": 3,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 30, "repetitions": 4},
        "entrants": [{"strategy": "random", "params": {"p": 0.5}}, {"strategy": "tit_for_tat"}],
        "sweep": {"entrants[0].params.p": [0.1, 0.9]},
    }
    s = load_scenario(sc)
    assert [p.name for p in s.populations] == ["p=0.1", "p=0.9"]
    # default names leave the swept value out (it is in the population name), so points line up
    assert [e.name for e in s.populations[1].entrants] == ["random", "tit_for_tat"]
    assert s.populations[1].entrants[0].params == {"p": 0.9}
    r = run_scenario(s, out=tmp_path)
    sweep = pd.read_csv(tmp_path / "sweep.csv")
    assert "entrants[0].params.p" in sweep.columns
    pm = sweep[sweep.metric == "population_mean_payoff"].set_index("entrants[0].params.p")["estimate"]
    assert pm[0.9] > pm[0.1]  # more cooperation, more payoff
    assert r.summary["sweep"]["keys"] == ["entrants[0].params.p"]
    assert (tmp_path / "comparison_sweep.png").exists()


def test_sweep_of_counts_and_all_entrants():
    sc = {
        "name": "sweep",
        "seed": 3,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": "moran", "turns": 5, "runs": 5},
        "entrants": [
            {"strategy": "generous_tit_for_tat", "params": {"p": 0.1}, "name": "gtft", "count": 4},
            {"strategy": "random", "params": {"p": 0.5}, "name": "rnd"},
        ],
        "sweep": {"entrants[1].count": [1, 2], "entrants[*].params.p": [0.2]},
    }
    s = load_scenario(sc)
    assert [p.name for p in s.populations] == ["count=1, p=0.2", "count=2, p=0.2"]
    assert [len(p.entrants) for p in s.populations] == [5, 6]
    assert s.populations[1].entrants[0].params == {"p": 0.2} and s.populations[1].entrants[5].params == {"p": 0.2}
    assert [e.name for e in s.populations[1].entrants[4:]] == ["rnd #1", "rnd #2"]


@pytest.mark.parametrize(
    "sweep, key, fragment",
    [
        ({"entrants[0].alpha": [1]}, "sweep.entrants[0].alpha", "a sweep key is a path"),
        ({"entrants[5].params.p": [1]}, "sweep.entrants[5].params.p", "only 1 [[entrants]]"),
        ({"entrants[0].params.p": [2.0]}, "sweep.entrants[0].params.p", "p must be in [0, 1]"),
        ({"entrants[0].params.p": []}, "sweep.entrants[0].params.p", "non-empty"),
        ({"entrants[0].count": [0]}, "sweep.entrants[0].count", "positive integers"),
        ({"entrants[0].count": [2], "entrants[*].params.q": [1]}, "sweep.entrants[*].params.q", "no parameter 'q'"),
    ],
)
def test_bad_sweeps(sweep, key, fragment):
    sc = {
        "name": "s",
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"self_play": True},
        "entrants": [{"strategy": "random", "params": {"p": 0.5}}],
        "sweep": sweep,
    }
    with pytest.raises(ScenarioError) as err:
        load_scenario(sc)
    assert key in str(err.value) and fragment in str(err.value)
