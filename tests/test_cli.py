"""Command line: run, list, report, and one-paragraph errors without tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from tournament.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_run_writes_results_and_prints_standings(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "examples" / "my_strategy.toml"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rank" in text and "soft grudge (2)" in text and str(out) in text
    assert (out / "matches.csv").exists() and (out / "summary.json").exists()


@pytest.mark.slow
def test_report_rebuilds_from_saved_results(tmp_path, capsys):
    out = tmp_path / "out"
    main(["run", str(ROOT / "scenarios" / "examples" / "my_strategy.toml"), "--out", str(out), "--quiet"])
    (out / "report.md").unlink()
    assert main(["report", str(out)]) == 0
    assert "Standings" in (out / "report.md").read_text()


def test_bad_input_exits_2_with_one_paragraph(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[game]\nname = "prisoners_dilema"\n[[entrants]]\nstrategy = "grim"\n')
    assert main(["run", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert "bad.toml" in err and "game.name" in err and "prisoners_dilemma" in err
    assert not (tmp_path / "o").exists()  # nothing written for bad input
    assert main(["report", str(tmp_path)]) == 2
    assert main(["run", str(tmp_path / "missing.toml")]) == 2


def test_bad_input_does_not_touch_existing_results(tmp_path):
    out = tmp_path / "out"
    main(["run", str(ROOT / "scenarios" / "examples" / "my_strategy.toml"), "--out", str(out), "--quiet"])
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = tmp_path / "bad.toml"
    bad.write_text('[game]\nname = "prisoners_dilemma"\n[[entrants]]\nstrategy = "nope"\n')
    assert main(["run", str(bad), "--out", str(out)]) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_list_games_and_strategies(capsys):
    assert main(["list", "games"]) == 0
    text = capsys.readouterr().out
    for name in ("prisoners_dilemma", "stag_hunt", "demand_3p", "robots_abc", "random_game"):
        assert name in text
    assert "R=2, S=0, T=3, P=1" in text
    assert main(["list", "strategies"]) == 0
    text = capsys.readouterr().out
    assert "tit_for_tat" in text and "Axelrod: TitForTat" in text and "pattern='CCD'" in text


def test_console_entry_point_debug_shows_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = 'x'\n")
    proc = subprocess.run(
        [sys.executable, "-m", "tournament.cli", "--debug", "run", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "ScenarioError" in proc.stderr


@pytest.mark.slow
def test_a_new_run_into_the_same_folder_leaves_no_stale_files(tmp_path):
    from tournament import run_scenario

    out = tmp_path / "out"
    population = {
        "name": "pop",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": "moran", "turns": 5, "runs": 3},
        "entrants": [{"strategy": "tit_for_tat", "count": 3}, {"strategy": "always_defect", "count": 1}],
    }
    run_scenario(population, out=out)
    assert (out / "rounds.npz").exists() and (out / "fixation.csv").exists()
    first = set(p.name for p in out.iterdir())
    (out / "my_notes.txt").write_text("mine")
    rr = {
        "name": "rr",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 5},
        "report": {"traces": 0, "plots": False},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "grim"}],
    }
    run_scenario(rr, out=out)
    now = set(p.name for p in out.iterdir())
    fresh = tmp_path / "fresh"
    run_scenario(rr, out=fresh)
    assert now == set(p.name for p in fresh.iterdir()) | {"my_notes.txt"}, first - now
    assert not (out / "rounds.npz").exists() and not (out / "fixation.csv").exists()
    assert (out / "my_notes.txt").read_text() == "mine"


# ------------------------------------------------------------------ the first hour
def test_debug_is_accepted_before_and_after_the_subcommand(tmp_path):
    import pytest

    from tournament.errors import ScenarioError

    bad = tmp_path / "bad.toml"
    bad.write_text("seed = 'x'\n")
    for argv in (["--debug", "run", str(bad)], ["run", str(bad), "--debug"], ["run", "--debug", str(bad)]):
        with pytest.raises(ScenarioError):  # --debug: the exception itself, with its traceback
            main(argv)
    assert main(["run", str(bad)]) == 2


def test_python_dash_m_tournament_and_version():
    import tournament

    proc = subprocess.run([sys.executable, "-m", "tournament", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"ibtournament {tournament.__version__} (Mesa 3.")


def test_list_kinds_and_bare_list(capsys):
    assert main(["list", "kinds"]) == 0
    out = capsys.readouterr().out
    for kind in ("round_robin", "ecological", "replicator", "moran", "random_matching"):
        assert kind in out
    assert "every k-subset of entrants" in out
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "tournament list games" in out and "tournament list strategies" in out and "tournament list kinds" in out


def test_list_strategies_prints_whole_first_sentences(capsys):
    assert main(["list", "strategies"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("regret_matching"))
    assert line.endswith(
        "switch away from the last action in proportion to the regret for not having played another one instead."
    )
    line = next(x for x in out.splitlines() if x.startswith("softmax_switcher"))
    assert "w.p. exp(" in line  # an abbreviation is not the end of the sentence


def test_run_mentions_report_html(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "examples" / "my_strategy.toml"), "--out", str(out)]) == 0
    assert f"open {out / 'report.html'} in a browser" in capsys.readouterr().out


COMPARE_BODY = """
[game]
name = "prisoners_dilemma"
[tournament]
turns = 30
repetitions = 4
noise = 0.05
[report]
plots = false
[[entrants]]
strategy = "{s}"
count = 2
[[entrants]]
strategy = "grim"
"""


def compare_folder(tmp_path, capsys=None):
    files = []
    for i, s in enumerate(("tit_for_tat", "always_defect")):
        f = tmp_path / f"{s}.toml"
        f.write_text(f"seed = {i + 1}\n" + COMPARE_BODY.format(s=s))
        files.append(f)
    out = tmp_path / "cmp"
    assert main(["compare", *map(str, files), "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_compare_prints_the_differences_and_report_rebuilds_a_compare_folder(tmp_path, capsys):
    out = compare_folder(tmp_path)
    text = capsys.readouterr().out
    assert "Clear differences (disjoint 95% intervals)" in text and "largest first" in text
    assert "population mean payoff of all: tit_for_tat > always_defect" in text
    assert f"open {out / 'report.html'} in a browser" in text
    html = (out / "report.html").read_text()
    assert 'href="tit_for_tat/report.html"' in html and 'href="always_defect/report.html"' in html
    first = (out / "report.md").read_text()
    for f in (out / "report.md", out / "report.html", out / "tit_for_tat" / "report.html"):
        f.unlink()
    assert main(["report", str(out)]) == 0
    assert "report.html" in capsys.readouterr().out
    assert (out / "report.md").read_text() == first
    assert (out / "report.html").exists() and (out / "tit_for_tat" / "report.html").exists()


def test_report_on_a_folder_that_is_not_results(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no summary.json" in capsys.readouterr().err


MODULE = '''
from strategies import Strategy


class Forgiving(Strategy):
    """Cooperates always: forgives everything."""

    stochastic = False

    def choose(self, view):
        return "C"
'''


def test_a_module_next_to_the_scenario_or_in_the_working_directory(tmp_path, monkeypatch, capsys):
    here = tmp_path / "scen"
    (here / "mypkg").mkdir(parents=True)
    (here / "forgiving.py").write_text(MODULE)
    (here / "mypkg" / "__init__.py").write_text("")
    (here / "mypkg" / "rules.py").write_text(MODULE)
    f = here / "s.toml"
    f.write_text(
        'seed = 1\n[game]\nname = "prisoners_dilemma"\n[tournament]\nturns = 5\n[report]\nplots = false\n'
        '[[entrants]]\nstrategy = "forgiving:Forgiving"\n[[entrants]]\nstrategy = "mypkg.rules:Forgiving"\n'
    )
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    assert main(["run", str(f), "--out", str(tmp_path / "o"), "--workers", "2", "--quiet"]) == 0
    # a module in the working directory, named from a scenario elsewhere
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / "kindly.py").write_text(MODULE)
    g = tmp_path / "elsewhere.toml"
    g.write_text(f.read_text().replace("forgiving:Forgiving", "kindly:Forgiving"))
    monkeypatch.chdir(cwd)
    assert main(["run", str(g), "--out", str(tmp_path / "o2"), "--quiet"]) == 0
    # a module that is nowhere says where it looked
    g.write_text(f.read_text().replace("forgiving:Forgiving", "nowhere:Forgiving"))
    assert main(["run", str(g), "--out", str(tmp_path / "o3")]) == 2
    err = capsys.readouterr().err.replace("\n  ", " ")
    assert "No module named 'nowhere'" in err and str(cwd) in err
    for name in ("forgiving", "mypkg", "mypkg.rules", "kindly"):  # imported into this process
        sys.modules.pop(name, None)


def test_bare_tournament_prints_the_help(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: tournament") and "report.html" in out
