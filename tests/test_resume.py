"""Interrupted runs keep every finished match, and ``--resume`` ends with exactly the
results of an uninterrupted run: killed with SIGKILL (process group, workers included) or
stopped with Ctrl-C (SIGINT)."""

import filecmp
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import cli_command

from tournament import ScenarioError, TournamentError, run_scenario
from tournament.execution.checkpoint import FOLDER, pending_checkpoint

CLASSICS = [
    "tit_for_tat",
    "random",
    "grim",
    "generous_tit_for_tat",
    "win_stay_lose_shift",
    "always_defect",
    "tit_for_two_tats",
    "two_tits_for_tat",
    "go_by_majority",
    "suspicious_tit_for_tat",
    "alternator",
    "always_cooperate",
]
SCENARIO = """
name = "resume test"
seed = 11
[game]
name = "prisoners_dilemma"
[tournament]
turns = 600
repetitions = 8
noise = 0.05
[report]
plots = false
[[entrants]]
strategy = "slow_tft.py:SlowTitForTat"
""" + "".join(f'[[entrants]]\nstrategy = "{s}"\n' for s in CLASSICS)
N_MATCHES = 78 * 8  # 13 entrants, pairs without self-play, 8 repetitions
# The classics are automata, so the batch engine plays their matches a repetition at a time,
# in a fraction of a second: the slow entrant (a Python strategy, so its matches go through
# the workers one by one) keeps every run going long enough for the signal to land mid-run
# even on a loaded machine. It sleeps once per match, which changes no result.
SLOW_STRATEGY = """
import time
from strategies import Strategy

class SlowTitForTat(Strategy):
    \"\"\"Tit for tat that takes 30 ms to get ready for each match.\"\"\"

    def reset(self, view):
        time.sleep(0.03)

    def choose(self, view):
        return 0 if view.round == 0 else int(view.last_actions[1 - view.seat])
"""
COMPARED = ("matches.csv", "rounds.npz", "summary.json", "matches.parquet")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run."""
    folder = tmp_path_factory.mktemp("resume")
    path = folder / "resume.toml"
    path.write_text(SCENARIO)
    (folder / "slow_tft.py").write_text(SLOW_STRATEGY)
    run_scenario(path, out=folder / "full", workers=1)
    assert len((folder / "full" / "matches.csv").read_text().splitlines()) == N_MATCHES + 1
    return path, folder / "full"


def start_and_interrupt(scenario, out, sig, workers, at_least=40, *extra):
    """Start a run in its own process group and send ``sig`` to the whole group once
    ``at_least`` matches are checkpointed (and the run has not finished)."""
    cmd, env = cli_command("run", scenario, "--out", out, "--workers", workers, "--quiet", *extra)
    proc = subprocess.Popen(
        cmd, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while (pending_checkpoint(out) or 0) < at_least:
        assert proc.poll() is None, f"the run ended before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(proc.pid, sig)
    stdout, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr


def assert_same(a, b):
    for name in COMPARED:
        assert filecmp.cmp(a / name, b / name, shallow=False), f"{name} differs after resume"


def resume(scenario, out, workers=1):
    cmd, env = cli_command("run", scenario, "--out", out, "--workers", workers, "--quiet", "--resume")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.slow
def test_sigkill_to_the_process_group_midway_then_resume_equals_uninterrupted(reference, tmp_path):
    scenario, full = reference
    out = tmp_path / "killed"
    rc, _ = start_and_interrupt(scenario, out, signal.SIGKILL, workers=2)
    assert rc == -signal.SIGKILL
    kept = pending_checkpoint(out)
    assert 40 <= kept < N_MATCHES
    assert not (out / "matches.csv").exists()
    resume(scenario, out, workers=2)
    assert_same(full, out)
    assert not (out / FOLDER).exists()  # the checkpoint is removed once the results are complete
    assert json.loads((out / "run_info.json").read_text())["resumed_tasks"] == kept


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_ctrl_c_says_where_the_results_are_and_how_to_resume(reference, tmp_path, backend):
    if backend == "dask":
        pytest.importorskip("dask.distributed")
    scenario, full = reference
    out = tmp_path / "stopped"
    rc, stderr = start_and_interrupt(scenario, out, signal.SIGINT, 2, 40, "--backend", backend)
    assert rc == 130, stderr
    kept = pending_checkpoint(out)
    assert kept and kept < N_MATCHES
    assert f"finished task(s) are saved in {out / FOLDER}" in " ".join(stderr.split())
    assert f"tournament run {scenario} --out {out} --resume" in " ".join(stderr.split())
    assert "Traceback" not in stderr  # worker processes leave Ctrl-C to the main process
    resume(scenario, out)
    assert_same(full, out)


@pytest.mark.slow
def test_a_truncated_last_record_is_dropped_and_its_match_runs_again(reference, tmp_path):
    scenario, full = reference
    out = tmp_path / "torn"
    start_and_interrupt(scenario, out, signal.SIGKILL, workers=1)
    results = out / FOLDER / "results.bin"
    kept = pending_checkpoint(out)
    with open(results, "ab") as fh:  # a record header promising more bytes than were written
        fh.write((10**6).to_bytes(8, "little") + b"partial")
    assert pending_checkpoint(out) == kept
    resume(scenario, out)
    assert_same(full, out)


@pytest.mark.slow
def test_a_new_run_refuses_to_overwrite_an_interrupted_one(reference, tmp_path):
    scenario, _ = reference
    out = tmp_path / "guarded"
    start_and_interrupt(scenario, out, signal.SIGKILL, workers=1, at_least=5)
    kept = pending_checkpoint(out)
    with pytest.raises(TournamentError, match="holds an interrupted run"):
        run_scenario(scenario, out=out)
    assert pending_checkpoint(out) == kept  # nothing was lost
    changed = scenario.read_text().replace("seed = 11", "seed = 12")
    other = scenario.parent / "other.toml"  # next to the slow entrant's module
    other.write_text(changed)
    with pytest.raises(ScenarioError, match="different scenario"):
        run_scenario(other, out=out, resume=True)
    assert pending_checkpoint(out) == kept
    run_scenario(scenario, out=out, restart=True)
    assert not (out / FOLDER).exists()


def test_an_interrupted_rounds_file_is_dropped_without_a_traceback_at_exit(tmp_path):
    # Ctrl-C can land while a match's arrays are being written: the stream is aborted with a
    # zip entry still open, and nothing may be printed when the interpreter exits.
    code = (
        "import sys, zipfile; from pathlib import Path\n"
        "from tournament.output.outputs import MatchStream\n"
        "s = MatchStream(Path(sys.argv[1]))\n"
        "s.add({'match_id': 0}, {'actions': __import__('numpy').zeros((3, 2), 'uint8')})\n"
        "h = s._zip.open('m1/actions.npy', 'w'); h.write(b'partial')\n"
        "s.abort()\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
