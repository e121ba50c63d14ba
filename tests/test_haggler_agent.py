"""The ib_haggler strategy: the algorithm of docs/haggler.md, traces, reproducibility, Proposition 1."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import strategies
import tournament
from strategies.haggler import IBHaggler, cache
from strategies.haggler import hypotheses as hy
from strategies.haggler.value_iteration import solve
from tournament.view import History, MatchView

PD = tournament.games.get("prisoners_dilemma")
C, D = 0, 1


def _replay_check(match, seat: int) -> None:
    """Re-derive the algorithm from the match history with single-hypothesis runs: every choice
    is consistent, has the best value at its current state (ties 1e-9), and is kept exactly
    until it is falsified."""
    agent = match.strategies[seat]
    space, values = agent.space, agent.prepared.solved.values
    sg = hy.SeatGame.of(match.game, seat)
    pairs = [(int(row[seat]), sg.observation_of(row)) for row in match.actions]
    H = space.n_hypotheses
    # state of every hypothesis before every round (-1 once falsified)
    rows = np.zeros((len(pairs) + 1, H), dtype=np.int64)
    for h in range(H):
        states, f = space.hypothesis(h).run(pairs)
        r = np.full(len(pairs) + 1, -1)
        r[: len(states)] = space.rows_of(h)[states]
        if f is None:
            last = space.hypothesis(h).run(pairs + [(0, 0)])[0][-1]
            r[len(pairs)] = space.rows_of(h)[last]
        rows[:, h] = r
    switch_rounds = [s[0] for s in agent.switches]
    for t, old, new, demand in agent.switches:
        alive = rows[t] >= 0
        vals = np.where(alive, values.take(np.maximum(rows[t], 0)), -np.inf)
        assert alive[new] and vals[new] >= vals.max() - 1e-9, (t, space.describe(new))
        assert demand == pytest.approx(vals[new])
        if old is not None:
            assert rows[t][old] < 0  # the previous hypothesis was falsified in round t-1
            assert rows[t - 1][old] >= 0
    # between switches the hypothesis in use stays consistent and its policy is played
    cur = None
    hyp_trace = match.traces[seat]["hypothesis"]
    for t in range(len(pairs)):
        if t in switch_rounds:
            cur = hyp_trace[t]
        assert hyp_trace[t] == cur and rows[t][cur] >= 0
        assert pairs[t][0] == agent.prepared.solved.policy[rows[t][cur]]
        assert match.traces[seat]["demand"][t] == pytest.approx(values[rows[t][cur]])
        assert match.traces[seat]["consistent"][t] == int((rows[t] >= 0).sum())


@pytest.mark.parametrize(
    "game, players, prior",
    [
        ("prisoners_dilemma", ["ib_haggler", "ib_haggler"], "default"),
        ("schelling_pub", ["ib_haggler", "tit_for_tat"], "default"),
        ("demand_3p", ["ib_haggler", "ib_haggler", "ib_haggler"], "cautious"),
    ],
)
def test_the_algorithm_is_exactly_the_spec(game, players, prior):
    # tie_break="first": the replay checks π_h = the lowest equally good action (the random
    # draw among them is tested in test_haggler_ties.py)
    g = tournament.games.get(game)
    ps = [IBHaggler(prior=prior, tie_break="first") if p == "ib_haggler" else p for p in players]
    m = tournament.play_match(g, ps, turns=150, seed=11)
    for seat, p in enumerate(players):
        if p == "ib_haggler":
            _replay_check(m, seat)


def test_traces_and_switch_log():
    m = tournament.play_match(PD, [IBHaggler(), IBHaggler(prior="cautious")], turns=200, seed=3)
    for seat in range(2):
        tr = m.traces[seat]
        assert set(tr) == {"demand", "hypothesis", "hypothesis_class", "consistent"}
        assert all(len(v) == 200 for v in tr.values())
        assert tr["demand"].dtype == float and tr["consistent"].dtype.kind == "i"
        assert set(tr["hypothesis_class"]) <= set(hy.KINDS)
        assert np.all(np.diff(tr["consistent"]) <= 0)  # the consistent set only shrinks
        log = m.strategies[seat].switches
        assert log[0][0] == 0 and log[0][1] is None
        assert [s[2] for s in log] == [tr["hypothesis"][s[0]] for s in log]
        assert all(log[i][2] == log[i + 1][1] for i in range(len(log) - 1))
    # demands of a haggler with the default prior start high on the seed PD (⊤ is worth 1)
    assert m.traces[0]["demand"][0] == pytest.approx(3.0)


def test_same_seed_same_match_and_seeds_matter():
    def run(seed):
        m = tournament.play_match(
            PD, [IBHaggler(prior="ambitious"), IBHaggler(prior="ambitious")], turns=400, seed=seed
        )
        return m.actions, m.traces, [s.switches for s in m.strategies]

    a1, t1, s1 = run(7)
    a2, t2, s2 = run(7)
    assert np.array_equal(a1, a2) and s1 == s2
    assert all(np.array_equal(t1[i][k], t2[i][k]) for i in range(2) for k in t1[i])
    logs = {str(run(seed)[2]) for seed in range(4)}
    assert len(logs) > 1  # ties are broken with the seat's own generator


@pytest.mark.slow
def test_sampling_is_proportional_to_the_prior_among_the_best():
    """Round 0 on the seed PD: the hypotheses tied at the top value are sampled ∝ ζ."""
    h = IBHaggler()
    prep = h.prepare(PD, 0)
    vals = prep.solved.values.take(prep.space.start_rows)
    best = np.flatnonzero(vals >= vals.max() - 1e-9)
    assert len(best) >= 3
    expected = prep.zeta[best] / prep.zeta[best].sum()
    counts = dict.fromkeys(best.tolist(), 0)
    n = 3000
    for i in range(n):
        view = MatchView(History(PD, 1), 0)
        h.begin_match(view, np.random.default_rng(i))
        h.choose(view)
        counts[h.current] += 1
    observed = np.array([counts[b] for b in best.tolist()])
    keep = expected * n >= 5  # chi-square needs expected counts >= 5; pool the rest
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum()) * n
    obs, exp = obs[exp > 0], exp[exp > 0]
    assert stats.chisquare(obs, exp).pvalue > 1e-3


def _true_value(h: hy.Hypothesis, sg: hy.SeatGame) -> float:
    """lim_{γ→1} V_γ(h) at the start state (γ = 1 − 1e-6: exact to ~1e-5 for these cases)."""
    t = h.table().reshape(h.n_states, -1).T.astype(np.int32)
    return float(solve(t, sg.reward, 1 - 1e-6).values[h.start])


SG = hy.SeatGame.of(PD, 0)
TRUE = {
    "tit_for_tat": hy.automaton(SG, (C, D), ((0, 1), (0, 1))),
    "alternator": hy.automaton(SG, (C, D), ((1, 1), (0, 0))),
    "always_cooperate": hy.constant(SG, C),
    "always_defect": hy.constant(SG, D),
}


@pytest.mark.parametrize("opponent", sorted(TRUE))
@pytest.mark.parametrize("prior, prune", [("default", True), ("default", False), ("cautious", True)])
def test_proposition_1(opponent, prior, prune):
    """Seed 001, Prop. 1: if some (resettable) h in the space is the truth, the long-run
    payoff is at least lim V_γ(h). Checked on the last 500 of 3000 rounds, tolerance 1e-3."""
    haggler = IBHaggler(prior=prior, prune=prune)
    m = tournament.play_match(PD, [haggler, opponent], turns=3000, seed=5)
    agent = m.strategies[0]
    truth = TRUE[opponent]
    space = agent.space
    v = _true_value(truth, SG)
    ids = [h for h in range(space.n_hypotheses) if np.array_equal(space.table(h), truth.table())]
    assert truth.is_resettable()
    if ids:
        assert agent.tracker.state_of(ids[0]) is not None  # the truth is never falsified
    else:  # pruned: never worth more than ⊤, which is always true and gives the same bound
        assert prune and v == pytest.approx(SG.maximin, abs=1e-5)
    assert m.payoffs[-500:, 0].mean() >= v - 1e-3, (v, agent.describe())


def test_grim_is_a_trap_where_proposition_1_does_not_apply():
    """Grim is in the space (a 2-state automaton) but not resettable. The haggler's first,
    most ambitious hypotheses say 'they cooperate while I defect', so it defects in round 0
    and springs the trap: from then on even the true hypothesis is worth only 1 at its
    current state, and the haggler ends at the mutual-defection payoff 1 < V(grim) = 2."""
    m = tournament.play_match(PD, [IBHaggler(tie_break="first"), "grim"], turns=3000, seed=5)
    agent = m.strategies[0]
    grim = hy.automaton(SG, (C, D), ((0, 1), (1, 1)))
    gid = [h for h in range(agent.space.n_hypotheses) if np.array_equal(agent.space.table(h), grim.table())]
    assert len(gid) == 1 and not grim.is_resettable()
    assert _true_value(grim, SG) == pytest.approx(2.0, abs=1e-4)
    assert m.actions[0, 0] == D and np.all(m.actions[1:, 1] == D)  # trap sprung in round 0
    assert agent.tracker.state_of(gid[0]) == 1  # the truth survives, in its triggered state
    assert m.payoffs[-500:, 0].mean() == 1.0


# ------------------------------------------------------------------ parameters and errors
@pytest.mark.parametrize(
    "params, message",
    [
        ({"prior": "bold"}, r"prior: unknown preset 'bold'"),
        ({"gamma": 1.0}, r"gamma: expected a discount factor in \(0, 1\)"),
        ({"max_loop": 0}, r"max_loop: expected a positive integer, got 0"),
        ({"max_password": -1}, r"max_password: expected a non-negative integer"),
        ({"classes": ["constant"]}, r"classes: 'top'"),
        ({"classes": ["top", "passwords"]}, r"classes: unknown class 'passwords'"),
        ({"class_weights": {"password": -1}}, r"class_weights.password: expected a non-negative number"),
        ({"class_weights": {"top": 0}}, r"class_weights.top"),
        ({"password_mass": 1.0}, r"password_mass: expected a share in \(0, 1\)"),
        ({"custom": "x"}, r"custom: expected a list"),
        ({"custom_file": "/nonexistent/h.toml"}, r"custom_file: file '/nonexistent/h.toml' not found"),
        ({"weight": 3}, r"weight: expected a function or a reference"),
        ({"prune": "yes"}, r"prune: expected true or false"),
        ({"max_hypotheses": None}, r"max_hypotheses: expected a positive integer, got None"),
    ],
)
def test_parameter_errors_name_the_parameter(params, message):
    with pytest.raises(tournament.errors.StrategyError, match=message):
        strategies.get("ib_haggler", **params)


def test_check_rejects_spaces_that_do_not_fit_and_bad_custom_tables():
    h = IBHaggler(max_password=12, max_loop=4, max_hypotheses=10_000)
    with pytest.raises(
        ValueError, match=r"max_hypotheses: .* seat 0 of 'prisoners_dilemma' .* over max_hypotheses = 10,000"
    ):
        h.check(PD, 0)
    with pytest.raises(ValueError, match=r"automata with 3 states .* lower max_automaton"):
        IBHaggler(max_automaton=3, prior="cautious").check(tournament.games.get("demand_3p"), 0)
    bad = IBHaggler(custom=[{"states": {"a": {"C": "a", "D": "b"}}}])
    with pytest.raises(ValueError, match=r"custom\[0\]\.states\.a\.D\.next: unknown state 'b'"):
        bad.check(PD, 0)
    # unset sizes shrink to fit instead (the largest space within the limit)
    small = IBHaggler(prior="ambitious", max_hypotheses=5_000)
    small.check(PD, 0)
    assert small.prepare(PD, 0).solved.info["hypotheses_generated"] <= 5_000


def test_scenario_errors_name_file_and_key(tmp_path):
    base = {
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 5},
        "entrants": [{"strategy": "ib_haggler", "params": {"max_loop": 0}}, {"strategy": "tit_for_tat"}],
    }
    with pytest.raises(tournament.errors.ScenarioError, match=r"key 'entrants\[0\]\.params'.*max_loop"):
        tournament.run_scenario(base)
    base["entrants"][0]["params"] = {"custom": [{"states": {"a": {"C": "a", "E": "a"}}}]}
    with pytest.raises(
        tournament.errors.ScenarioError,
        match=r"key 'entrants\[0\]'.*cannot play seat 0.*custom\[0\]\.states\.a\.E: unknown own action 'E'",
    ):
        tournament.run_scenario(base)


def test_custom_hypotheses_and_weight_function_from_files_next_to_the_scenario(tmp_path):
    (tmp_path / "hyps.toml").write_text(
        '[[hypotheses]]\nname = "tit for tat"\nweight = 2.0\n'
        '[hypotheses.states.c]\nC = { observe = ["C"], next = "c" }\nD = { observe = ["C"], next = "d" }\n'
        '[hypotheses.states.d]\nC = { observe = ["D"], next = "c" }\nD = { observe = ["D"], next = "d" }\n'
    )
    (tmp_path / "weights.py").write_text(
        "import numpy as np\ndef no_automata(catalog):\n    return np.where(catalog['kind'] == 'automaton', 0.0, 1.0)\n"
    )
    (tmp_path / "s.toml").write_text(
        'seed = 1\n[game]\nname = "prisoners_dilemma"\n[tournament]\nturns = 300\nrepetitions = 1\n'
        '[[entrants]]\nstrategy = "ib_haggler"\n'
        'params = { prior = "cautious", custom_file = "hyps.toml", weight = "weights.py:no_automata" }\n'
        '[[entrants]]\nstrategy = "tit_for_tat"\n'
    )
    r = tournament.run_scenario(tmp_path / "s.toml")
    assert r.matches["payoff_0"].iloc[0] > 1.9
    spec = r.scenario.entrants[0]
    agent = spec.build()
    info = agent.prepare(PD, 0).solved.info
    assert info["by_kind"]["custom"] == 1 and info["by_kind"]["automaton"] == 0  # weight 0 drops them
    custom = int(np.flatnonzero(agent.prepare(PD, 0).space.kind == 4)[0])
    assert agent.prepare(PD, 0).space.describe(custom) == "custom 'tit for tat' (2 states)"


def test_cache_is_shared_but_instances_are_independent():
    cache.clear()
    a, b = IBHaggler(), IBHaggler()
    m1 = tournament.play_match(PD, [a, "tit_for_tat"], turns=100, seed=1)
    m2 = tournament.play_match(PD, ["alternator", b], turns=100, seed=1)
    assert a.prepared is b.prepared  # symmetric seats share one precomputation
    assert a.tracker is not b.tracker and a.tracker.rows is not b.tracker.rows
    cache.clear()
    again = tournament.play_match(PD, [IBHaggler(), "tit_for_tat"], turns=100, seed=1)
    assert np.array_equal(again.actions, m1.actions)
    assert not np.array_equal(m1.actions[:, 0], m2.actions[:, 1])
    # a different γ is a different cache entry
    assert IBHaggler(gamma=0.9).prepare(PD, 0) is not IBHaggler().prepare(PD, 0)
