"""The random-matching kind: individuals keep one strategy instance and a personal history."""

from dataclasses import replace

import mesa
import numpy as np
import pytest
from conftest import scenario_dict

from strategies import Strategy
from tournament import ScenarioError, StrategyError, load_scenario, run_scenario
from tournament.models.random_matching import RandomMatchingModel, context_for


def scenario(entrants, game="prisoners_dilemma", seed=3, **tournament):
    return scenario_dict(
        entrants,
        game,
        name="rm",
        seed=seed,
        tournament={"kind": "random_matching", "turns": 30, "runs": 2, **tournament},
    )


def model_of(sc, run=0, engine="python"):
    """A run, individual by individual by default (the views below exist on that path)."""
    m = RandomMatchingModel(replace(context_for(load_scenario(sc)), engine=engine), run)
    while m.running:
        m.step()
    return m


def test_tit_for_tat_copies_its_previous_partner():
    m = model_of(
        scenario(
            [
                {"strategy": "tit_for_tat", "count": 5},
                {"strategy": "always_defect", "count": 3},
                {"strategy": "alternator", "count": 2},
            ]
        )
    )
    assert isinstance(m, mesa.Model) and len(m.agents) == 10
    tfts = [a for a in m.members[0] if a.type_name == "tit_for_tat"]
    for ind in tfts:
        acts = ind.view.actions  # own action in seat 0, the partner's in seat 1
        assert ind.view.seat == 0 and len(acts) == 30  # 10 individuals, groups of 2: everyone plays each round
        assert acts[0, 0] == 0 and np.array_equal(acts[1:, 0], acts[:-1, 1])
    # partners change: some tit-for-tat both cooperated and was defected against
    assert any((ind.view.actions[:, 1] == 1).any() and (ind.view.actions[:, 1] == 0).any() for ind in tfts)


def test_payoffs_are_the_stage_game_payoffs_of_each_group():
    m = model_of(scenario([{"strategy": "always_cooperate", "count": 4}, {"strategy": "always_defect", "count": 4}]))
    r, s, t, p = 2, 0, 3, 1
    for ind in m.members[0]:
        own, other = ind.view.actions[:, 0], ind.view.actions[:, 1]
        expected = np.select([(own == 0) & (other == 0), own == 0, other == 0], [r, s, t], p)
        assert np.array_equal(ind.view.payoffs, expected)


def test_leftover_individuals_sit_out():
    m = model_of(scenario([{"strategy": "tit_for_tat", "count": 5}], turns=40))
    games = sorted(ind.games for ind in m.members[0])
    assert sum(games) == 40 * 4  # 2 groups of 2 per round, one of the 5 sits out
    assert all(ind.view.round == ind.games for ind in m.members[0])


def test_asymmetric_game_has_one_subpopulation_per_role():
    m = model_of(
        scenario(
            [
                {"strategy": "fixed", "params": {"action": "X"}, "count": 3},
                {"strategy": "fixed", "params": {"action": "Y"}, "count": 1},
            ],
            game="schelling_pub",
        )
    )
    assert [len(p) for p in m.members] == [4, 4]
    for role, pool in enumerate(m.members):
        for ind in pool:
            assert ind.view.seat == role and ind.games == 30
    # a role-0 X player meets a role-1 X player with probability 3/4: payoff 2, else 0
    x0 = [ind for ind in m.members[0] if ind.type_name.startswith("fixed")]
    pays = np.concatenate([ind.view.payoffs for ind in m.members[0] if ind.type_index == 0])
    assert set(pays.tolist()) <= {0.0, 2.0} and 0.55 < np.mean(pays == 2) < 0.95 and x0


@pytest.mark.slow
def test_results_independent_of_workers_and_reproducible(tmp_path):
    sc = scenario(
        [{"strategy": "win_stay_lose_shift", "count": 4}, {"strategy": "random", "count": 4}],
        noise=0.05,
        runs=4,
        generations=2,
    )
    run_scenario(sc, out=tmp_path / "a", workers=1)
    run_scenario(sc, out=tmp_path / "b", workers=2)
    for name in ("shares.csv", "individuals.csv", "summary.json", "population.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_selection_between_generations_favours_defectors():
    r = run_scenario(
        scenario(
            [{"strategy": "always_cooperate", "count": 10}, {"strategy": "always_defect", "count": 10}],
            turns=10,
            generations=6,
            runs=6,
            selection_intensity=3.0,
        )
    )
    pop = r.summary["population"]
    final = {f["type"]: f for f in pop["final_shares"]}
    assert final["always_defect"]["ci_low"] > 0.5  # defectors earn more against everyone
    st = {row["entrant"]: row for row in r.summary["standings"]}
    assert st["always_defect"]["rank"] == 1
    assert {p["type"]: p["cooperation"] for p in pop["per_type"]} == {"always_cooperate": 1.0, "always_defect": 0.0}


class Bad(Strategy):
    """Returns an invalid action after a few rounds."""

    def choose(self, view):
        return 7 if view.round >= 3 else 0


def test_strategy_errors_name_the_individual():
    with pytest.raises(StrategyError) as err:
        run_scenario(scenario([{"strategy": Bad, "count": 2}, {"strategy": "tit_for_tat", "count": 2}]))
    msg = str(err.value)
    assert "individual" in msg and "invalid action 7" in msg and "round 3" in msg


def test_bad_settings():
    base = [{"strategy": "tit_for_tat", "count": 2}]
    with pytest.raises(ScenarioError, match="tournament.repetitions.*runs"):
        load_scenario(scenario(base, repetitions=3))
    with pytest.raises(ScenarioError, match="prob_end"):
        load_scenario(
            scenario(base, turns=None, prob_end=0.1) | {"tournament": {"kind": "random_matching", "prob_end": 0.1}}
        )
    with pytest.raises(ScenarioError, match="a group needs 3"):
        load_scenario(scenario(base, game={"name": "stag_hunt", "params": {"players": 3}}))


def test_matches_csv_has_a_row_per_seating_and_window(tmp_path):
    """A match is one group's stage game; matches.csv aggregates them per run, recording window
    and seating of types, with their number and mean payoffs."""
    import pandas as pd

    sc = scenario(
        [{"strategy": "always_cooperate", "count": 6}, {"strategy": "always_defect", "count": 4}],
        turns=12,
        runs=3,
        record_every=4,
    )
    r = run_scenario(sc, out=tmp_path)
    m = pd.read_csv(tmp_path / "matches.csv")
    assert len(m) == len(r.matches) and m["match_id"].tolist() == list(range(len(m)))
    assert set(m["repetition"]) == {0, 1, 2} and set(m["round"]) == {4, 8, 12} and (m["turns"] == 1).all()
    # every window of every run holds 4 rounds x 5 groups of 2 = 20 stage games
    assert m.groupby(["repetition", "round"])["games"].sum().eq(20).all()
    # seats ordered by type in this symmetric game; payoffs are exactly the stage game's
    pay = {
        ("always_cooperate", "always_cooperate"): (2, 2),
        ("always_cooperate", "always_defect"): (0, 3),
        ("always_defect", "always_defect"): (1, 1),
    }
    for row in m.itertuples():
        assert (row.payoff_0, row.payoff_1) == pay[(row.entrant_0, row.entrant_1)]
    assert r.summary["n_matches"] == 3 * 12 * 5
    assert "rates" not in r.summary  # one-round stage games: no cycles
    md = (tmp_path / "report.md").read_text()
    assert "## Payoff matrix" in md and "over all stage games of all runs" in md


def test_matches_csv_does_not_grow_with_the_population():
    sc = scenario(
        [{"strategy": "tit_for_tat", "count": 600}, {"strategy": "always_defect", "count": 400}], turns=20, runs=1
    )
    r = run_scenario(sc)
    assert len(r.matches) <= 20 * 3  # windows x seatings, for 500 stage games a round
    assert r.matches["games"].sum() == 20 * 500
