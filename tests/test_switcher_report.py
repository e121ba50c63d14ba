"""The "Softmax switchers" report section on real (small) runs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tournament import games, run_scenario
from tournament.report import ReportContext, build_sections
from tournament.report import switcher as rs
from tournament.theory import softmax as S


def scenario(game: dict, entrants: list[dict], turns=400, reps=6, noise=0.0) -> dict:
    return {
        "name": "switcher report test",
        "seed": 3,
        "game": game,
        "tournament": {"turns": turns, "repetitions": reps, "self_play": True, "noise": noise},
        "report": {"traces": reps},
        "entrants": entrants,
    }


def switcher(alpha: float) -> dict:
    return {"strategy": "softmax_switcher", "params": {"alpha": alpha}, "name": f"sw{alpha:g}"}


def context(out) -> ReportContext:
    return ReportContext(folder=out, summary=json.loads((out / "summary.json").read_text()))


def section_of(ctx):
    secs = [s for s in build_sections(ctx) if s.title == "Softmax switchers"]
    return secs[0] if secs else None


@pytest.mark.slow
def test_high_low_section_matches_its_data_and_the_exact_chain(tmp_path):
    out = tmp_path / "hl"
    run_scenario(
        scenario({"name": "coordination_high_low"}, [switcher(0.2), switcher(1.0), {"strategy": "tit_for_tat"}]), out
    )
    ctx = context(out)
    found = rs.switcher_matches(ctx)
    # tit_for_tat's matches are excluded: seatings (0.2,0.2), (0.2,1), (1,1), 6 repetitions each
    assert len(found) == 18
    assert {s.label() for _, s in found} == {"α=0.2", "α=(0.2, 1)", "α=1"}
    game = ctx.game
    groups = {}
    for mid, seat in found:
        groups.setdefault(seat, []).append(ctx.rounds[mid]["actions"])
    table = rs.optimum_table(game, groups, 0.0).set_index("seating")
    opt = S.optimal_profiles(game)
    for seat, runs in groups.items():
        row = table.loc[seat.label()]
        shares = [np.mean(np.isin(r @ game.strides, opt)) for r in runs]
        assert row["at optimum"] == pytest.approx(np.mean(shares))
        P = S.transition_matrix(game, seat.alphas)
        assert row["at optimum (exact)"] == pytest.approx(S.expected_occupation(P, 400)[opt].sum())
        assert row["rounds to optimum (exact)"] == pytest.approx((1 - S.hitting_time_cdf(P, opt, 400)).sum())
    fast = table.loc["α=0.2"]  # relaxation time ~9 rounds: 6 matches of 400 rounds average well
    assert abs(fast["at optimum"] - fast["at optimum (exact)"]) < 4 * fast["se (share)"]
    assert fast["stationary π(opt)"] == pytest.approx(S.softmax_distribution(game, 0.2)[opt].sum())
    sec = section_of(ctx)
    assert "| α=(0.2, 1) |" in sec.markdown and "Seed 000's bound" in sec.markdown
    assert f"α ≥ {math.log(4 * 10 / 0.1) / 5:.3f}" in sec.markdown
    assert [p.name for p in sec.images] == ["switcher_alpha.png", "switcher_rounds.png"]
    assert all(p.stat().st_size > 10_000 for p in sec.images)
    assert "Softmax switchers" in (out / "report.md").read_text()


def test_prisoners_dilemma_section_shows_profiles_with_noise(tmp_path):
    out = tmp_path / "pd"
    run_scenario(scenario({"name": "prisoners_dilemma"}, [switcher(1.0)], turns=300, reps=4, noise=0.05), out)
    ctx = context(out)
    sec = section_of(ctx)
    assert "At the optimum" not in sec.markdown  # not a common-payoff game
    assert "| (C,C) | (C,D) | (D,C) | (D,D) |" in sec.markdown
    assert [p.name for p in sec.images] == ["switcher_profiles.png"]
    # the expectation in brackets is the chain with the noise kernel
    pd = games.get("prisoners_dilemma")
    expected = S.expected_occupation(S.transition_matrix(pd, 1.0, noise=0.05), 300)
    row = rs.profile_table(
        pd, {rs.Seating((1.0, 1.0), (0.0, 0.0)): [ctx.rounds[m]["actions"] for m in ctx.rounds]}, 0.05
    )
    assert row.loc[0, "(D,D)"].endswith(f"({expected[3]:.3f})")
    assert f"({expected[3]:.3f})" in sec.markdown


@pytest.mark.slow
def test_no_section_without_all_switcher_matches(tmp_path):
    out = tmp_path / "none"
    run_scenario(
        scenario(
            {"name": "prisoners_dilemma"},
            [{"strategy": "tit_for_tat"}, {"strategy": "always_defect"}],
            turns=20,
            reps=1,
        ),
        out,
    )
    assert section_of(context(out)) is None
    # a switcher only against others: still no all-switcher match
    out = tmp_path / "mixed"
    s = scenario({"name": "prisoners_dilemma"}, [switcher(1.0), {"strategy": "tit_for_tat"}], turns=20, reps=1)
    s["tournament"]["self_play"] = False
    run_scenario(s, out)
    assert section_of(context(out)) is None


@pytest.mark.parametrize("name", ["switcher_high_low", "switcher_high_low_3p", "switcher_pd", "switcher_vs_classics"])
def test_bundled_switcher_scenarios_load(name):
    from pathlib import Path

    from tournament import load_scenario

    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / f"{name}.toml")
    assert s.description and s.seed_given
    assert sum(e.to_dict()["strategy"] == "softmax_switcher" for e in s.entrants) >= 2
