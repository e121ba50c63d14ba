"""Command line: run, list, report, and one-paragraph errors without tracebacks."""

import subprocess
import sys
from pathlib import Path

from tournament.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_run_writes_results_and_prints_standings(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "examples" / "my_strategy.toml"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rank" in text and "soft grudge (2)" in text and str(out) in text
    assert (out / "matches.csv").exists() and (out / "summary.json").exists()


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
    proc = subprocess.run([sys.executable, "-m", "tournament.cli", "--debug", "run", str(bad)],
                          capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "ScenarioError" in proc.stderr


def test_a_new_run_into_the_same_folder_leaves_no_stale_files(tmp_path):
    from tournament import run_scenario

    out = tmp_path / "out"
    population = {"name": "pop", "seed": 1, "game": {"name": "prisoners_dilemma"},
                  "tournament": {"kind": "moran", "turns": 5, "runs": 3},
                  "entrants": [{"strategy": "tit_for_tat", "count": 3}, {"strategy": "always_defect", "count": 1}]}
    run_scenario(population, out=out)
    assert (out / "rounds.npz").exists() and (out / "fixation.csv").exists()
    first = set(p.name for p in out.iterdir())
    (out / "my_notes.txt").write_text("mine")
    rr = {"name": "rr", "seed": 1, "game": {"name": "prisoners_dilemma"}, "tournament": {"turns": 5},
          "report": {"traces": 0, "plots": False}, "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "grim"}]}
    run_scenario(rr, out=out)
    now = set(p.name for p in out.iterdir())
    fresh = tmp_path / "fresh"
    run_scenario(rr, out=fresh)
    assert now == set(p.name for p in fresh.iterdir()) | {"my_notes.txt"}, first - now
    assert not (out / "rounds.npz").exists() and not (out / "fixation.csv").exists()
    assert (out / "my_notes.txt").read_text() == "mine"
