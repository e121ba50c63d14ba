"""Round robin: schedule, standings, reproducibility across seeds and worker counts."""

import json

import mesa
import pandas as pd
import pytest
from conftest import scenario_dict

from tournament import load_scenario, run_scenario
from tournament.kinds.round_robin import seatings
from tournament.models.round_robin import RoundRobinModel


def scenario(game="prisoners_dilemma", entrants=("tit_for_tat", "grim", "alternator"), **tournament):
    return scenario_dict(entrants, game, name="rr", seed=4, tournament={"turns": 20, "repetitions": 2, **tournament})


def test_seatings_counts():
    assert seatings(4, 2, True, False) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    assert len(seatings(4, 2, True, True)) == 10
    assert seatings(3, 2, False, False) == [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)]
    # self-play in an asymmetric game: (0,0) once, (0,1) both ways
    assert seatings(2, 2, False, True) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert len(seatings(4, 3, False, False)) == 4 * 6


def test_matches_table_and_standings():
    r = run_scenario(scenario())
    m = r.matches
    assert len(m) == 3 * 2
    assert list(m.columns[:7]) == ["match_id", "repetition", "entrant_0", "entrant_1", "payoff_0", "payoff_1", "turns"]
    assert m["match_id"].tolist() == list(range(6))
    tft_alt = m[(m.entrant_0 == "tit_for_tat") & (m.entrant_1 == "alternator")]
    assert tft_alt["payoff_0"].tolist() == [pytest.approx(1.5 - 0.05)] * 2  # (2+0+(3+0)*9)/20
    st = r.standings
    assert st["rank"].tolist() == [1, 2, 3]
    # standings = mean over the entrant's match-seats
    grim = m[(m.entrant_0 == "grim")]["payoff_0"].tolist() + m[(m.entrant_1 == "grim")]["payoff_1"].tolist()
    assert st.set_index("entrant").loc["grim", "mean_payoff"] == pytest.approx(sum(grim) / len(grim))


def test_asymmetric_game_rotates_seats():
    r = run_scenario(scenario("schelling_pub", ("always_cooperate", "always_defect"), repetitions=1))
    pairs = list(zip(r.matches.entrant_0, r.matches.entrant_1))
    assert pairs == [("always_cooperate", "always_defect"), ("always_defect", "always_cooperate")]


def test_three_player_round_robin():
    r = run_scenario(
        scenario(
            {"name": "stag_hunt", "params": {"players": 3}},
            ("always_cooperate", "always_defect", "tit_for_tat", "grim"),
            repetitions=1,
        )
    )
    assert len(r.matches) == 4  # C(4,3)
    assert {"entrant_2", "payoff_2"} <= set(r.matches.columns)


def test_same_seed_same_csv_different_seed_differs(tmp_path):
    sc = scenario(entrants=("random", "tit_for_tat", "generous_tit_for_tat"), noise=0.1)
    run_scenario(sc, out=tmp_path / "a")
    run_scenario(sc, out=tmp_path / "b")
    run_scenario({**sc, "seed": 5}, out=tmp_path / "c")
    a, b, c = ((tmp_path / x / "matches.csv").read_bytes() for x in "abc")
    assert a == b and a != c
    assert (tmp_path / "a" / "summary.json").read_bytes() == (tmp_path / "b" / "summary.json").read_bytes()


def test_worker_count_does_not_change_results(tmp_path):
    sc = scenario(
        entrants=("random", "tit_for_tat", "generous_tit_for_tat", "grim", "maximin"), noise=0.05, repetitions=3
    )
    run_scenario(sc, out=tmp_path / "w1", workers=1)
    run_scenario(sc, out=tmp_path / "w2", workers=2)
    assert (tmp_path / "w1" / "matches.csv").read_bytes() == (tmp_path / "w2" / "matches.csv").read_bytes()


def test_deterministic_cache_equals_replaying(tmp_path):
    sc = scenario(entrants=("tit_for_tat", "alternator", "cycler", "bully"), repetitions=3)
    cached = run_scenario(sc).matches
    sc["tournament"]["cache_deterministic"] = False
    replayed = run_scenario(sc).matches
    pd.testing.assert_frame_equal(cached, replayed)


def test_round_robin_is_a_mesa_model_with_datacollector():
    s = load_scenario(scenario(repetitions=3))
    model = RoundRobinModel(s, s.populations[0])
    assert isinstance(model, mesa.Model)
    res = model.run()
    progress = res.tables["progress"]
    assert progress["matches_played"].tolist() == [3, 6, 9]
    agents = model.datacollector.get_agent_vars_dataframe()
    assert set(agents["entrant"]) == {"tit_for_tat", "grim", "alternator"}
    assert len(model.agents) == 3


def test_results_folder_contents(tmp_path):
    out = tmp_path / "res"
    r = run_scenario(scenario(), out=out)
    for name in ("summary.json", "matches.csv", "report.md", "run_info.json", "rounds.npz"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "rr" and summary["kind"] == "round_robin" and summary["seed"] == 4
    assert [s["entrant"] for s in summary["standings"]] == r.standings["entrant"].tolist()
    assert summary["settings"]["turns"] == 20
    from tournament.output.outputs import read_rounds

    rounds = read_rounds(out / "rounds.npz")
    # traces kept for repetition 0 only (report.traces = 1)
    assert sorted(rounds) == [0, 1, 2]
    assert rounds[0]["actions"].shape == (20, 2)


@pytest.mark.slow
def test_populations_run_side_by_side(tmp_path):
    sc = scenario()
    del sc["entrants"]
    sc["populations"] = [
        {"name": "nice", "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "always_cooperate"}]},
        {"name": "nasty", "entrants": [{"strategy": "always_defect"}, {"strategy": "grim"}]},
    ]
    r = run_scenario(sc, out=tmp_path / "p")
    assert set(r.matches["population"]) == {"nice", "nasty"}
    assert (tmp_path / "p" / "nice" / "matches.csv").exists()
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert set(summary["populations"]) == {"nice", "nasty"}
