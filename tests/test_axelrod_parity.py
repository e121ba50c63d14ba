"""Parity with the Axelrod library: every deterministic strategy of ``axelrod.all_strategies``,
wrapped, plays move for move as ``axelrod.Match`` against the sweep's panel (200 turns).

The full sweep (stochastic strategies too, with several seeds, and the table in
docs/axelrod.md) is ``benchmarks/axelrod_parity_sweep.py``; this is its CI part. Pairings with a
stochastic panel opponent (Random, GTFT, ZDExtort2) are compared on one seed of
``axelrod.Match``, the wrapped players getting the seeds ``Match`` gave its players.
"""

import warnings

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    axl = pytest.importorskip("axelrod")

from strategies.axelrod_adapter import AxelrodStrategy  # noqa: E402
from tournament.analysis import axelrod_parity as ap  # noqa: E402

ALL = [s.__name__ for s in axl.all_strategies]
DETERMINISTIC = [n for n in ALL if not ap.cheats(n) and not ap.is_stochastic(n)]
# long_run_time strategies (DBS's tree search, MetaWinnerDeterministic's team of 150+ strategies)
# take ~0.5 s per match: in CI they meet three of the panel (the full sweep plays them all)
SLOW_PANEL = ("TitForTat", "Random", "Alternator")


def test_the_sweep_covers_the_librarys_strategies():
    assert len(ALL) == 241 and axl.__version__ == "4.13.0"
    assert len(DETERMINISTIC) == 152  # 88 stochastic, Darwin unsupported
    assert [n for n in ALL if ap.cheats(n)] == ["Darwin"]


def _check(name, panel):
    bad = []
    for opponent in panel:
        pr = ap.compare_moves(name, opponent, seeds=range(1))
        if not pr.all_identical:
            bad.append(
                f"vs {opponent}: first difference at seed {pr.first_difference[0]}, turn {pr.first_difference[1] + 1}"
            )
    assert not bad, f"{name}: " + "; ".join(bad)


@pytest.mark.slow
def test_every_deterministic_library_strategy_plays_as_in_the_library():
    # one test, not 152: the per-strategy report is in the assertion message
    failures = []
    for name in DETERMINISTIC:
        slow = ap._class(name).classifier.get("long_run_time")
        try:
            _check(name, SLOW_PANEL if slow else ap.PANEL)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "name",
    [
        "Random",
        "GTFT",
        "ZDExtort2",
        "SecondByChampion",
        "FirstByJoss",
        "KnowledgeableWorseAndWorse",
        "EvolvedHMM5",
        "Calculator",
    ],
)
def test_stochastic_strategies_on_the_same_seeds_play_as_in_the_library(name):
    # KnowledgeableWorseAndWorse defects with probability turn / length: seeds and length both matter
    for opponent in ("TitForTat", "Random"):
        pr = ap.compare_moves(name, opponent, seeds=range(2))
        assert pr.seeded and pr.all_identical, (name, opponent, pr.first_difference)


def test_the_comparison_detects_a_wrong_length_and_wrong_seeds(monkeypatch):
    # the adapter's old behaviour (length -1: unknown) shows up as a difference at the end
    real = AxelrodStrategy.match_attributes
    monkeypatch.setattr(
        AxelrodStrategy, "match_attributes", staticmethod(lambda view, game: {**real(view, game), "length": -1})
    )
    pr = ap.compare_moves("BackStabber", "Cooperator")
    assert not pr.all_identical and pr.first_difference == (0, 198)
    monkeypatch.undo()
    # seeds other than those axelrod.Match gave: a stochastic strategy plays other moves
    lib, seeds = ap.library_match("Random", "TitForTat", seed=4)
    shifted = ap.our_match("Random", "TitForTat", seed=4, player_seeds=(seeds[0] + 1, None)).actions
    same = ap.our_match("Random", "TitForTat", seed=4, player_seeds=seeds).actions
    assert np.array_equal(same, lib) and not np.array_equal(shifted, lib)


def test_payoff_distribution_test_of_a_stochastic_pairing():
    # our own seeding (seat generators, not the library's seeds): the same distribution
    pr = ap.compare_payoffs("Random", "TitForTat", ap.Pairing("TitForTat", True), n=60)
    assert min(pr.p_values) > 0.01
    (ours, lib), _ = pr.means
    assert abs(ours - lib) < 0.1 and 2.0 < lib < 2.5  # Random vs TFT: (0.5 * 3 + 0.5 * ... ) near 2.25


def test_holm_verdicts():
    def outcome(name, p_values, identical=False):
        pr = ap.Pairing("X", True, matches=3, identical=3 if identical else 0)
        if p_values is not None:
            pr.p_values = p_values
        return ap.Outcome(name, True, [pr])

    outs = [
        outcome("a", (0.001, 0.9)),
        outcome("b", (0.02, 0.9)),
        outcome("c", None, identical=True),
        outcome("d", None),
        ap.Outcome("e", False, unsupported="cheats"),
    ]
    ap.verdicts(outs, alpha=0.05)
    # 4 tests: 0.001 <= 0.05/4 rejected; 0.02 > 0.05/3 stops Holm
    assert [o.verdict for o in outs] == ["different", "statistically equal", "identical", "different", "unsupported"]
