"""The Moran kind: fixation probabilities against theory, graphs, reproducibility, errors.

Statistical tests use fixed seeds; tolerances are 4 binomial standard deviations of the
estimated fixation probability (a false failure for a correct implementation would need a
4-sigma draw, and the seeds are fixed, so the outcome is deterministic).
"""

import math

import mesa
import numpy as np
import pytest

from tournament import ScenarioError, load_scenario, run_scenario
from tournament.models.moran import MoranModel, moran_task
from tournament.theory.moran import fixation_probability
from tournament.theory.multisets import FocalPayoffs

CONSTANT = {
    "name": "constant fitness",
    "actions": [["A", "B"], ["A", "B"]],
    "payoffs": [[[2, 2], [2, 1]], [[1, 2], [1, 1]]],
}  # A always earns 2, B always 1


def moran(entrants, game="prisoners_dilemma", seed=11, **tournament):
    t = {"kind": "moran", "turns": 5, "runs": 200}
    t.update(tournament)
    return {
        "name": "m",
        "seed": seed,
        "game": {"name": game} if isinstance(game, str) else game,
        "tournament": t,
        "entrants": entrants,
    }


def within(p_hat, p, runs, sigmas=4.0):
    return abs(p_hat - p) <= sigmas * math.sqrt(p * (1 - p) / runs)


def constant_fitness_scenario(n, runs, **kw):
    return moran(
        [
            {"strategy": "fixed", "params": {"action": "A"}, "name": "mutant"},
            {"strategy": "fixed", "params": {"action": "B"}, "name": "resident", "count": n - 1},
        ],
        game=CONSTANT,
        turns=1,
        runs=runs,
        fitness="linear",
        selection_intensity=1.0,
        **kw,
    )


@pytest.mark.slow
def test_neutral_mutant_fixes_with_probability_one_over_n():
    # tit-for-tat and always-cooperate are behaviourally identical against each other
    n, runs = 8, 1500
    r = run_scenario(
        moran(
            [
                {"strategy": "tit_for_tat", "name": "resident", "count": n - 1},
                {"strategy": "always_cooperate", "name": "mutant"},
            ],
            runs=runs,
        )
    )
    fix = {f["type"]: f for f in r.summary["population"]["fixation"]}
    assert fix["mutant"]["neutral"] == pytest.approx(1 / n)
    assert fix["mutant"]["exact"] == pytest.approx(1 / n)  # theory: neutral drift
    assert within(fix["mutant"]["probability"], 1 / n, runs)
    assert fix["mutant"]["fixations"] + fix["resident"]["fixations"] == runs  # no mutation: always fixes
    assert fix["mutant"]["ci_low"] < fix["mutant"]["probability"] < fix["mutant"]["ci_high"]


@pytest.mark.parametrize("r_ratio", [2.0, 1.5])
def test_exact_fixation_with_constant_fitness_ratio(r_ratio):
    n = 8
    focal = FocalPayoffs(np.array([[r_ratio, r_ratio], [1.0, 1.0]]), 2)
    expected = (1 - 1 / r_ratio) / (1 - 1 / r_ratio**n)
    assert fixation_probability(focal, n, 0, 1, fitness="linear", intensity=1.0) == pytest.approx(expected, rel=1e-12)
    # and with the exponential map: fitness ratio exp(w * (r - 1))
    w = math.log(r_ratio) / (r_ratio - 1)
    assert fixation_probability(focal, n, 0, 1, intensity=w) == pytest.approx(
        fixation_probability(focal, n, 0, 1, fitness="linear", intensity=1.0), rel=1e-12
    )


@pytest.mark.slow
def test_simulated_fixation_matches_constant_fitness_formula():
    n, runs, r_ratio = 8, 1200, 2.0
    rho = (1 - 1 / r_ratio) / (1 - 1 / r_ratio**n)
    res = run_scenario(constant_fitness_scenario(n, runs))
    fix = res.summary["population"]["fixation"][0]
    assert fix["type"] == "mutant" and fix["exact"] == pytest.approx(rho)
    assert within(fix["probability"], rho, runs)


@pytest.mark.slow
def test_cycle_graph_is_isothermal():
    # Lieberman et al. 2005: birth-death on a regular graph fixes like the well-mixed population
    n, runs = 8, 1000
    rho = (1 - 1 / 2) / (1 - 1 / 2**n)
    res = run_scenario(constant_fitness_scenario(n, runs, graph={"interaction": "cycle"}))
    pop = res.summary["population"]
    assert pop["structure"]["interaction"] == "cycle" and pop["fixation"][0]["exact"] is None
    assert within(pop["fixation"][0]["probability"], rho, runs)


def test_death_birth_matches_its_exact_formula():
    n, runs = 8, 1000
    res = run_scenario(constant_fitness_scenario(n, runs, update="death_birth"))
    fix = res.summary["population"]["fixation"][0]
    assert fix["exact"] == pytest.approx(0.44094, abs=1e-5)  # below birth-death's 0.502
    assert within(fix["probability"], fix["exact"], runs)


@pytest.mark.slow
def test_agents_are_individuals_and_results_do_not_depend_on_workers(tmp_path):
    sc = moran(
        [
            {"strategy": "tit_for_tat", "count": 5},
            {"strategy": "always_defect", "count": 3},
            {"strategy": "random", "params": {"p": 0.5}, "count": 2},
        ],
        noise=0.05,
        repetitions=2,
        runs=12,
        graph={"interaction": {"generator": "small_world", "k": 4, "p": 0.2}, "replacement": "complete"},
    )
    run_scenario(sc, out=tmp_path / "w1", workers=1)
    run_scenario(sc, out=tmp_path / "w2", workers=2)
    for name in ("fixation.csv", "shares.csv", "matches.csv", "summary.json"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes(), name
    s = load_scenario(sc)
    from tournament.models.moran import MoranContext

    ctx = MoranContext(
        table=np.array([[1.0, 0.0], [2.0, 0.5]]),
        coop_table=None,
        n_players=2,
        types=["a", "b"],
        counts=np.array([6, 4]),
        fitness="exponential",
        intensity=1.0,
        mutation=0.0,
        update="birth_death",
        max_steps=50,
        record_every=10,
        interaction=None,
        replacement=None,
        seed=s.seed,
    )
    model = MoranModel(ctx, run=0)
    assert isinstance(model, mesa.Model) and len(model.agents) == 10
    while model.running:
        model.step()
        assert len(model.agents) == 10 and model.counts.sum() == 10
        assert sorted(a.type_index for a in model.agents) == sorted(model.types.tolist())
    assert moran_task(ctx, type("T", (), {"run": 0})())["steps"] == model.steps  # same seed, same run


def test_mutation_prevents_fixation_and_runs_to_the_cap():
    res = run_scenario(
        moran(
            [{"strategy": "tit_for_tat", "count": 4}, {"strategy": "always_defect", "count": 4}],
            runs=3,
            mutation=0.2,
            max_generations=5,
        )
    )
    pop = res.summary["population"]
    assert "fixation" not in pop
    fix = res.populations[next(iter(res.populations))].tables["fixation"]
    assert (fix["generations"] == 5).all() and (fix["fixed_type"] == "").all()
    assert all(0 <= s["time_average"] <= 1 for s in pop["final_shares"])


def test_three_player_moran_uses_hypergeometric_co_players():
    res = run_scenario(
        moran(
            [
                {"strategy": "always_cooperate", "name": "stag", "count": 3},
                {"strategy": "always_defect", "name": "rabbit", "count": 3},
            ],
            game={"name": "stag_hunt", "params": {"players": 3}},
            turns=1,
            runs=50,
        )
    )
    (kind_result,) = res.populations.values()
    assert kind_result.summary["population"]["population_size"] == 6
    # the estimated table: a stag hunter earns 3 only with two stag co-players, a rabbit hunter always 1
    table = kind_result.tables["payoff_table"].set_index(["type", "co_players"])["payoff"]
    assert table[("stag", "2x stag")] == 3 and table[("stag", "1x stag + 1x rabbit")] == 0
    assert (table.loc["rabbit"] == 1).all() and len(table) == 6
    focal = FocalPayoffs(np.array([[3.0, 0.0, 0.0], [1.0, 1.0, 1.0]]), 3)  # columns: (2s,0r), (1s,1r), (0s,2r)
    assert focal.counts.tolist() == [[2, 0], [1, 1], [0, 2]]
    # among 2 stag + 3 rabbit others, both co-players are stag with probability C(2,2)/C(5,2) = 1/10
    assert focal.against_pool(np.array([0]), np.array([[2, 3]]))[0] == pytest.approx(0.3)


@pytest.mark.parametrize(
    "graph, key, fragment",
    [
        ({"interaction": "ring"}, "tournament.graph.interaction", "unknown graph 'ring'"),
        ({"interaction": {"edges": [[0, 1], [2, 3]]}}, "tournament.graph.interaction", "not connected"),
        ({"interaction": {"generator": "grid", "rows": 3}}, "tournament.graph.interaction", "rows x cols"),
        ({"interaction": "cycle", "replacement": {"edges": [[0, 9]]}}, "tournament.graph.replacement", "outside"),
        ({"interaction": {"generator": "small_world", "n": 8}}, "tournament.graph.interaction.n", "population size"),
    ],
)
def test_bad_graphs_are_rejected_with_the_key(graph, key, fragment):
    with pytest.raises(ScenarioError) as err:
        load_scenario(moran([{"strategy": "grim", "count": 4}, {"strategy": "always_defect", "count": 4}], graph=graph))
    assert key in str(err.value) and fragment in str(err.value)


def test_other_bad_settings():
    base = [{"strategy": "grim", "count": 2}, {"strategy": "always_defect"}]
    with pytest.raises(ScenarioError, match="selection_intensity.*negative"):
        load_scenario(moran(base, game="hawk_dove", fitness="linear", selection_intensity=0.9))
    with pytest.raises(ScenarioError, match="tournament.update.*Did you mean 'death_birth'"):
        load_scenario(moran(base, update="death-birth"))
    with pytest.raises(ScenarioError, match="tournament.shares.*one share per"):
        load_scenario(moran(base, shares=[1, 2, 3], population_size=9))
    with pytest.raises(ScenarioError, match="population_size"):
        load_scenario(moran(base, shares=[1, 2]))
    s = load_scenario(moran(base, shares=[1, 4], population_size=10))
    from tournament.kinds.population import initial_counts, types_of

    assert initial_counts(s.settings, types_of(s.populations[0])).tolist() == [2, 8]
