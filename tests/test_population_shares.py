"""The infinite-population kinds: ``replicator`` (seed 002 App. F.3) and ``ecological``."""

from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from tournament import ScenarioError, games, load_scenario, run_scenario
from tournament.kinds import RunOptions
from tournament.kinds.population import types_of
from tournament.models.payoffs import estimate_payoffs
from tournament.models.shares import EcologicalModel
from tournament.theory.dynamics import replicator as replicator_dynamics
from tournament.theory.multisets import FocalPayoffs


def fixed_types(game, actions, kind, counts=None, **tournament):
    t = {"kind": kind, "turns": 1}
    t.update(tournament)
    entrants = [{"strategy": "fixed", "params": {"action": a}, "name": a} for a in actions]
    for e, c in zip(entrants, counts or []):
        e["count"] = c
    return {"name": "fixed", "seed": 2, "game": game, "tournament": t, "entrants": entrants}


@pytest.mark.parametrize("v, c", [(2, 4), (2, 3), (1, 5)])
def test_replicator_on_hawk_dove_converges_to_v_over_c(v, c):
    f = FocalPayoffs.from_game(games.get("hawk_dove", V=v, C=c))
    for start in (0.05, 0.5, 0.95):
        run = replicator_dynamics(f, np.array([start, 1 - start]), step=0.5, iterations=20_000)
        assert run.converged and run.shares[0] == pytest.approx(v / c, abs=1e-8)


def test_replicator_kind_on_hawk_dove():
    r = run_scenario(
        fixed_types(
            {"name": "hawk_dove", "params": {"V": 2, "C": 3}},
            ["Hawk", "Dove"],
            "replicator",
            counts=[1, 9],
            step=0.5,
            generations=5000,
        )
    )
    pop = r.summary["population"]
    assert pop["converged"] and pop["final_shares"][0]["share"] == pytest.approx(2 / 3, abs=1e-8)
    shares = r.populations[next(iter(r.populations))].tables["shares"]
    hawk = shares[shares.type == "Hawk"]["share"].to_numpy()
    assert hawk[0] == pytest.approx(0.1) and np.all(np.diff(hawk) > -1e-15)  # monotone approach from below


def test_replicator_on_rock_paper_scissors_cycles():
    f = FocalPayoffs.from_game(games.get("rock_paper_scissors"))
    s0 = np.array([0.5, 0.3, 0.2])
    drifts = []
    for step in (0.02, 0.005):
        run = replicator_dynamics(f, s0, step=step, iterations=int(40 / step), record=True)
        traj = run.trajectory
        assert not run.converged
        prod = traj.prod(axis=1)
        drifts.append(abs(prod[-1] / prod[0] - 1))
        # shares keep cycling: each one rises above and falls below its time average
        for a in range(3):
            assert traj[:, a].max() > 0.45 and traj[:, a].min() < 0.2
        # rock is overtaken by paper, paper by scissors, scissors by rock
        peaks = [int(np.argmax(traj[: int(12 / step), a])) for a in range(3)]
        assert peaks[0] < peaks[1] < peaks[2] or peaks[1] < peaks[2] < peaks[0] or peaks[2] < peaks[0] < peaks[1]
    # the product of shares is conserved by the continuous dynamics; Euler drifts by O(step)
    assert drifts[0] < 0.02 and drifts[1] < drifts[0] / 3


def test_replicator_kind_on_rps_does_not_converge():
    r = run_scenario(
        fixed_types(
            {"name": "rock_paper_scissors"},
            ["R", "P", "S"],
            "replicator",
            counts=[5, 3, 2],
            step=0.01,
            generations=3000,
        )
    )
    pop = r.summary["population"]
    assert not pop["converged"] and pop["generations"] == 3000
    shares = (
        r.populations[next(iter(r.populations))]
        .tables["shares"]
        .pivot(index="generation", columns="type", values="share")
    )
    prod = shares.prod(axis=1)
    assert abs(prod.iloc[-1] / prod.iloc[0] - 1) < 0.01


def test_ecological_payoff_table_and_first_generation_by_hand():
    sc = load_scenario(
        {
            "name": "eco",
            "seed": 1,
            "game": {"name": "prisoners_dilemma"},
            "tournament": {"kind": "ecological", "turns": 10, "generations": 3},
            "entrants": [
                {"strategy": "tit_for_tat"},
                {"strategy": "always_defect"},
                {"strategy": "always_cooperate", "count": 2},
            ],
        }
    )
    est = estimate_payoffs(sc, types_of(sc.populations[0]), RunOptions())
    # R=2, S=0, T=3, P=1 over 10 rounds; rows own type, columns co-player (tft, alld, allc)
    expected = np.array([[2.0, 0.9, 2.0], [1.2, 1.0, 3.0], [2.0, 0.0, 2.0]])
    assert est.focal.table == pytest.approx(expected)
    model = EcologicalModel(sc, sc.populations[0], estimate=est)
    assert isinstance(model, mesa.Model) and len(model.agents) == 3  # agents are the types
    x = np.array([0.25, 0.25, 0.5])  # count = 2 doubles always_cooperate's initial share
    fit = expected @ x
    model.step()
    assert model.x == pytest.approx(x * fit / (x @ fit))
    assert [a.share for a in model.type_agents] == pytest.approx(model.x.tolist())
    # cooperation rate of tit-for-tat against the initial mix: 1 vs tft, 0.1 vs alld, 1 vs allc
    df = model.datacollector.get_agent_vars_dataframe().reset_index()
    tft0 = df[(df.Step == 0) & (df.type == "tit_for_tat")]
    assert tft0["cooperation"].iloc[0] == pytest.approx(0.25 * 1 + 0.25 * 0.1 + 0.5 * 1)


def test_ecological_k_player_draws_co_players_from_the_shares():
    r = run_scenario(
        fixed_types(
            {"name": "stag_hunt", "params": {"players": 3}},
            ["Stag", "Rabbit"],
            "ecological",
            shares=[0.6, 0.4],
            generations=1,
        )
    )
    (res,) = r.populations.values()
    first = res.tables["shares"].query("generation == 0").set_index("type")
    assert first.loc["Stag", "payoff"] == pytest.approx(3 * 0.6**2)  # both co-players must hunt stag
    assert first.loc["Rabbit", "payoff"] == pytest.approx(1.0)
    x1 = res.tables["shares"].query("generation == 1").set_index("type")["share"]
    w = np.array([0.6 * 1.08, 0.4 * 1.0])
    assert x1["Stag"] == pytest.approx(w[0] / w.sum())


@pytest.mark.slow
def test_bootstrap_intervals_cover_noisy_payoffs_and_collapse_when_deterministic():
    base = {
        "name": "b",
        "seed": 4,
        "game": {"name": "prisoners_dilemma"},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "always_defect"}],
    }
    noisy = run_scenario(
        {**base, "tournament": {"kind": "ecological", "turns": 20, "noise": 0.1, "repetitions": 6, "generations": 30}}
    )
    share = noisy.summary["population"]["final_shares"][0]
    assert share["ci_low"] < share["share"] < share["ci_high"]
    det = run_scenario({**base, "tournament": {"kind": "ecological", "turns": 20, "repetitions": 3, "generations": 30}})
    share = det.summary["population"]["final_shares"][0]
    assert share["ci_low"] == pytest.approx(share["share"]) == pytest.approx(share["ci_high"])
    one = run_scenario({**base, "tournament": {"kind": "ecological", "turns": 20, "generations": 3}})
    assert one.summary["population"]["final_shares"][0]["ci_low"] is None or np.isnan(
        one.summary["population"]["final_shares"][0]["ci_low"]
    )


def test_outputs_written(tmp_path):
    run_scenario(
        fixed_types({"name": "hawk_dove"}, ["Hawk", "Dove"], "replicator", counts=[1, 3], generations=20), out=tmp_path
    )
    shares = pd.read_csv(tmp_path / "shares.csv")
    assert list(shares.columns) == ["generation", "type", "share", "payoff", "cooperation"]
    assert len(shares) == 2 * 21
    assert (tmp_path / "payoff_table.csv").exists() and (tmp_path / "population_shares.png").exists()
    report = (tmp_path / "report.md").read_text()
    assert "Population dynamics" in report and "final share" in report


def test_bad_settings():
    with pytest.raises(ScenarioError, match="background_fitness.*at least 2"):
        load_scenario(fixed_types({"name": "hawk_dove", "params": {"V": 2, "C": 6}}, ["Hawk", "Dove"], "ecological"))
    with pytest.raises(ScenarioError, match="tournament.step"):
        load_scenario(fixed_types({"name": "hawk_dove"}, ["Hawk", "Dove"], "replicator", step=0))
    with pytest.raises(ScenarioError, match="tournament.population_size.*unknown key"):
        load_scenario(fixed_types({"name": "hawk_dove"}, ["Hawk", "Dove"], "replicator", population_size=10))


ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted(
    str(p)
    for pattern in ("population_*.toml", "sweep_*.toml", "compare_*.toml", "compare/*.toml")
    for p in (ROOT / "scenarios").glob(pattern)
)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.rsplit("/", 1)[-1])
def test_bundled_population_scenarios_load(path):
    s = load_scenario(path)
    assert s.description and s.seed_given
