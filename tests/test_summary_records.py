"""summary.json through its typed records (tournament.output.summary): written through them,
parsed back through them, the same JSON both ways; hostile fields are a clear error."""

import json
import math
import re

import pytest

from tournament import run_scenario
from tournament.errors import TournamentError
from tournament.output.summary import MeanInterval, PopulationSummary, Rate, RunSummary, StandingsRow


def scenario(**tournament):
    t = {"turns": 30, "repetitions": 2, **tournament}
    return {
        "name": "records",
        "seed": 5,
        "game": {"name": "prisoners_dilemma"},
        "tournament": t,
        "report": {"plots": False},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "always_defect"}, {"strategy": "grim"}],
    }


def written(out):
    text = (out / "summary.json").read_text()
    return text, json.loads(text)


def test_a_round_robin_summary_round_trips_and_is_typed(tmp_path):
    run_scenario(scenario(noise=0.05), out=tmp_path / "rr")
    text, data = written(tmp_path / "rr")
    run = RunSummary.from_json(data)
    assert json.dumps(run.to_json(), indent=2, allow_nan=True) + "\n" == text  # same bytes, key order included
    assert not run.multi and run.kind == "round_robin" and run.game["name"] == "prisoners_dilemma"
    res = run.results[None]
    assert [type(r) for r in res.standings] == [StandingsRow] * 3
    assert [r.rank for r in res.standings] == sorted(r.rank for r in res.standings)
    assert {r.entrant for r in res.standings} == {"tit_for_tat", "always_defect", "grim"}
    assert all(r.ci_low <= r.mean_payoff <= r.ci_high for r in res.standings)
    assert isinstance(res.overall, MeanInterval) and res.overall.seats == 2 * 3 * 2
    assert isinstance(res.rates["settled"], Rate) and res.rates["settled"].n == res.n_matches == 6
    assert "rates_by_pairing" in res.extra  # untyped parts are kept as read
    assert res.population is None


def test_population_kind_and_multi_population_summaries_round_trip(tmp_path):
    sc = scenario(kind="moran", runs=20, max_generations=50)
    sc["entrants"] = [{"strategy": "tit_for_tat", "count": 4}, {"strategy": "always_defect", "count": 2}]
    run_scenario(sc, out=tmp_path / "moran")
    text, data = written(tmp_path / "moran")
    run = RunSummary.from_json(data)
    assert json.dumps(run.to_json(), indent=2, allow_nan=True) + "\n" == text
    pop = run.results[None].population
    assert isinstance(pop, PopulationSummary) and pop.kind == "moran" and pop.types == ["tit_for_tat", "always_defect"]
    assert [f.type for f in pop.final_shares] == pop.types
    assert math.isclose(sum(f.share for f in pop.final_shares), 1.0)
    assert sum(f["fixations"] for f in pop.fixation) + pop.extra["unfixed_runs"] == 20

    multi = scenario()
    del multi["entrants"]
    multi["populations"] = [
        {"name": "a", "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "grim"}]},
        {"name": "b", "entrants": [{"strategy": "always_defect"}, {"strategy": "grim"}]},
    ]
    run_scenario(multi, out=tmp_path / "multi")
    text, data = written(tmp_path / "multi")
    run = RunSummary.from_json(data)
    assert run.multi and list(run.results) == ["a", "b"]
    assert json.dumps(run.to_json(), indent=2, allow_nan=True) + "\n" == text
    sub = json.loads((tmp_path / "multi" / "a" / "summary.json").read_text())
    assert sub["population_name"] == "a" and "population" not in sub  # the name no longer hides the block


@pytest.mark.parametrize(
    "bad, where",
    [
        ({"standings": {"x": 1}}, "standings"),
        ({"standings": [{"entrant": "x", "rank": "first"}]}, "standings[0].rank"),
        ({"rates": {"settled": {"fraction": "most"}}}, "rates.settled.fraction"),
        (
            {"population": {"kind": "moran", "types": ["a"], "final_shares": [{"type": 3}]}},
            "population.final_shares[0].type",
        ),
    ],
)
def test_a_crafted_summary_is_refused_naming_the_field(bad, where):
    with pytest.raises(TournamentError, match=re.escape(f"summary.json: {where}: expected")):
        RunSummary.from_json({"scenario": "s", "game": {"name": "g"}, "kind": "round_robin", **bad})


def test_nan_is_written_as_null_and_read_back_as_none():
    row = StandingsRow(rank=None, entrant="x", mean_payoff=float("nan"), ci_low=None, ci_high=None, n=0)
    assert row.to_json() == {"rank": None, "entrant": "x", "mean_payoff": None, "ci_low": None, "ci_high": None, "n": 0}
    assert StandingsRow.from_json(row.to_json()) == StandingsRow(None, "x", None, None, None, 0)


def test_a_population_kinds_own_folder_keeps_its_dynamics_and_its_report_rebuilds(tmp_path):
    # before population_name, the name overwrote the dynamics block, and `tournament report` on
    # the population's folder failed with a TypeError
    from tournament.report import write_report

    sc = scenario(kind="moran", runs=10, max_generations=30)
    del sc["entrants"]
    sc["populations"] = [
        {"name": n, "entrants": [{"strategy": "tit_for_tat", "count": 3}, {"strategy": s, "count": 1}]}
        for n, s in (("a", "always_defect"), ("b", "grim"))
    ]
    run_scenario(sc, out=tmp_path / "m")
    sub = tmp_path / "m" / "b"
    data = json.loads((sub / "summary.json").read_text())
    pop = RunSummary.from_json(data).results[None].population
    assert data["population_name"] == "b" and pop.kind == "moran" and pop.types == ["tit_for_tat", "grim"]
    text = write_report(sub, plots=False).read_text()
    assert "## Population dynamics" in text and "grim" in text
