"""Reports: every section with data appears, images are written and embedded, and
`tournament report` rebuilds the same report from the saved files."""

import json
from pathlib import Path

import pandas as pd
import pytest

from strategies import Strategy
from tournament import run_scenario
from tournament.cli import main
from tournament.report import markdown_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_pd_report_sections_and_images(tmp_path):
    out = tmp_path / "pd"
    run_scenario(ROOT / "scenarios" / "classics_axelrod_pd.toml", out=out)
    md = (out / "report.md").read_text()
    for title in (
        "## Standings",
        "## Payoff matrix",
        "## Outcomes and the Pareto frontier",
        "## Stable cycles and Pareto optimality",
    ):
        assert title in md
    for png in ("payoff_matrix.png", "outcomes.png", "cycles.png"):
        assert (out / png).stat().st_size > 5000 and f"]({png})" in md
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3 and "<table>" in html
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rates"]["settled"]["fraction"] == 1.0  # deterministic classics all settle
    assert "alternator vs tit_for_tat" in summary["rates_by_pairing"]  # symmetric game: sorted names


@pytest.mark.slow
def test_three_player_report_has_coalitions(tmp_path):
    out = tmp_path / "d3"
    run_scenario(ROOT / "scenarios" / "demand_3p_fixed.toml", out=out)
    m = pd.read_csv(out / "matches.csv")
    both_two = m[(m.entrant_0.str.startswith("ask 2")) & (m.entrant_1.str.startswith("ask 2"))]
    assert len(both_two) and (both_two.coalition == "{0,1}|{2}").all()
    assert (both_two[["cycle_payoff_0", "cycle_payoff_1", "cycle_payoff_2"]].to_numpy() == [2, 2, 0]).all()
    assert not both_two.pareto_optimal.any()
    md = (out / "report.md").read_text()
    assert "## Coalitions" in md and "{0,1}\\|{2}" in md
    summary = json.loads((out / "summary.json").read_text())
    assert summary["coalitions"]["structures"]["{0,1}|{2}"] == len(both_two)


@pytest.mark.slow
def test_cake_splitting_report(tmp_path):
    out = tmp_path / "cake"
    run_scenario(ROOT / "scenarios" / "cake_splitting_fixed.toml", out=out)
    m = pd.read_csv(out / "matches.csv")
    # seat 0 names B (index 0), seat 1 names A (index 0): a mutual pair {0,1}
    pair = m[(m.entrant_0 == "names first") & (m.entrant_1 == "names first")]
    assert len(pair) == 0  # distinct entrants only
    row = m[(m.entrant_0 == "names first") & (m.entrant_1 == "fickle") & (m.entrant_2 == "names second")]
    assert len(row) == 1


class Demander(Strategy):
    """Exposes a falling demand trace, like a haggler."""

    stochastic = False

    def choose(self, view):
        self.expose("demand", 3.0 - min(view.round, 20) * 0.05)
        return "C"


def test_demand_trajectories_are_drawn(tmp_path):
    out = tmp_path / "dem"
    sc = {
        "name": "dem",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 30},
        "entrants": [{"strategy": Demander, "name": "a"}, {"strategy": Demander, "name": "b"}],
    }
    run_scenario(sc, out=out)
    md = (out / "report.md").read_text()
    assert "## Demand trajectories" in md and (out / "demands.png").exists()


@pytest.mark.slow
def test_report_command_rebuilds_identically(tmp_path):
    out = tmp_path / "pd"
    run_scenario(ROOT / "scenarios" / "demand_3p_fixed.toml", out=out)
    first = (out / "report.md").read_text()
    for f in ("report.md", "report.html", "outcomes.png"):
        (out / f).unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "report.md").read_text() == first
    assert (out / "outcomes.png").exists() and (out / "report.html").exists()


def test_markdown_table_escapes_pipes():
    text = markdown_table(pd.DataFrame({"structure": ["{0,1}|{2}"], "x": [0.5]}))
    assert "{0,1}\\|{2}" in text and "0.5000" in text


def test_no_plots_option(tmp_path):
    out = tmp_path / "np"
    sc = {
        "name": "np",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 10},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "grim"}],
        "report": {"plots": False},
    }
    run_scenario(sc, out=out)
    assert not list(out.glob("*.png")) and (out / "report.html").exists()
