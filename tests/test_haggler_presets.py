"""The presets are nested — cautious ⊆ default ⊆ ambitious — in every bundled game, and a cut
forced by the hypothesis budget is the same for all of them and is reported."""

from __future__ import annotations

import pytest

import tournament
from strategies.haggler import IBHaggler, config
from strategies.haggler import hypotheses as hy
from strategies.haggler.space import estimate_size

ORDER = ("cautious", "default", "ambitious")
GAMES = [(name, {}) for name in tournament.games.names()] + [("stag_hunt", {"players": 3})]


def _resolved(game, seat, prior, **params):
    h = IBHaggler(prior=prior, **params)
    return config.resolve(h.settings, hy.SeatGame.of(game, seat))


@pytest.mark.slow
@pytest.mark.parametrize("name, params", GAMES, ids=[f"{n}{p.get('players', '')}" for n, p in GAMES])
def test_presets_are_nested_in_every_bundled_game(name, params):
    game = tournament.games.get(name, **params)
    seats = range(game.n_players) if game.n_players <= 3 else [0, game.n_players - 1]
    for seat in seats:
        res = [_resolved(game, seat, p) for p in ORDER]
        for small, big in zip(res, res[1:]):
            assert set(small.space.classes) <= set(big.space.classes)
            for k in config.SIZES:
                assert getattr(small.space, k) <= getattr(big.space, k), (seat, k)
        # one ceiling for all: each preset keeps its own size unless the ceiling is lower
        sg = hy.SeatGame.of(game, seat)
        ceiling = config.budget_ceiling(
            sg, res[0].space.classes, True, (), config.DEFAULT_MAX_HYPOTHESES, dict.fromkeys(config.SIZES)
        )
        for r in res:
            assert estimate_size(sg, r.space)["hypotheses"] <= config.DEFAULT_MAX_HYPOTHESES
            for k in config.SIZES:
                assert getattr(r.space, k) == min(r.nominal[k], ceiling[k])


def _keys(space) -> set:
    """Hypotheses as comparable tuples (class, password, loop, automaton member)."""
    cols = (space.kind, space.password_length, space.password_code, space.loop_length, space.loop_code, space.member)
    return set(zip(*(c.tolist() for c in cols)))


@pytest.mark.parametrize(
    "name, params",
    [("prisoners_dilemma", {}), ("schelling_pub", {}), ("stag_hunt", {"players": 3}), ("cake_splitting", {})],
)
def test_the_hypothesis_sets_themselves_are_nested(name, params):
    """After pruning (same γ, so a hypothesis is pruned in every preset or in none)."""
    game = tournament.games.get(name, **params)
    priors = ORDER if name != "cake_splitting" else ORDER[:2]  # cake: ambitious is 1.4·10^5
    spaces = [IBHaggler(prior=p).prepare(game, 0).space for p in priors]
    for small, big in zip(spaces, spaces[1:]):
        assert _keys(small) < _keys(big)


def test_a_budget_cut_is_the_same_for_all_presets_and_reported():
    vote = tournament.games.get("sacrifice_vote")
    info = {p: IBHaggler(prior=p).setup_summary(vote, 0) for p in ORDER}
    # before: ambitious got N = 8, M = 1, below default's M = 2
    assert (info["ambitious"]["max_password"], info["ambitious"]["max_loop"]) == (4, 2)
    assert info["ambitious"]["cut"] == "max_password 8 → 4, max_loop 3 → 2"
    assert info["default"]["cut"] == "" and info["cautious"]["cut"] == ""
    assert info["ambitious"]["hypotheses"] <= 200_000
    by = info["default"]["by_class"]
    assert by == {"top": 1, "constant": 9, "automaton": 4032, "loop": 560, "password": 21840, "custom": 0}
    assert sum(by.values()) == info["default"]["hypotheses"]
    order = tournament.games.get("schelling_order")
    d, a = (IBHaggler(prior=p).setup_summary(order, 0) for p in ("default", "ambitious"))
    assert d["cut"] == "max_password 3 → 2, max_automaton 2 → 1"
    assert {k: v for k, v in d.items() if k not in ("prior", "cut")} == {
        k: v for k, v in a.items() if k not in ("prior", "cut")
    }  # the budget leaves them equal


def test_explicit_sizes_are_kept_and_set_the_ceiling_of_the_others():
    cake = tournament.games.get("cake_splitting")
    sg = hy.SeatGame.of(cake, 0)
    r = _resolved(cake, 0, "ambitious", max_password=8)
    assert r.space.max_password == 8 and r.space.max_loop == 2  # M cut so that N = 8 fits
    d = _resolved(cake, 0, "default", max_password=8)
    assert (d.space.max_password, d.space.max_loop) == (8, 2)
    assert estimate_size(sg, r.space)["hypotheses"] <= 200_000
    with pytest.raises(ValueError, match=r"max_hypotheses: .* max_password = 8, max_loop = 3, .* over max_hypotheses"):
        _resolved(cake, 0, "ambitious", max_password=8, max_loop=3)


@pytest.mark.slow
def test_run_summary_and_report_list_hypothesis_counts_per_agent(tmp_path):
    scenario = {
        "name": "cut",
        "seed": 1,
        "game": {"name": "sacrifice_vote"},
        "tournament": {"turns": 30, "repetitions": 1},
        "entrants": [
            {"strategy": "ib_haggler", "name": "bold", "params": {"prior": "ambitious", "max_hypotheses": 30_000}},
            {"strategy": "ib_haggler", "name": "plain", "params": {"max_hypotheses": 30_000}},
            {"strategy": "random"},
        ],
    }
    r = tournament.run_scenario(scenario, out=tmp_path)
    setup = r.summary["strategy_setup"]
    assert set(setup) == {"bold", "plain"}  # not the random player
    (bold,), (plain,) = setup["bold"], setup["plain"]
    assert bold["seats"] == [0, 1, 2] and plain["seats"] == [0, 1, 2]
    # the default fits 30,000 whole, so the ambitious is cut down to it: the same space
    assert plain["cut"] == "" and bold["cut"] == "max_password 8 → 3, max_loop 3 → 2"
    assert bold["by_class"] == plain["by_class"] and bold["hypotheses"] == plain["hypotheses"] <= 30_000
    report = (tmp_path / "report.md").read_text()
    assert "## Hypothesis spaces" in report and "max_password 8 → 3, max_loop 3 → 2" in report
    assert "## Mechanism" in report
