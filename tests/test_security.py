"""Hostile input: crafted checkpoints and results folders, names that try to leave the results
folder, markup in scenario text, concurrent runs, a full disk, absurd sizes, misbehaving
strategy files. Each case must end in one clear message (exit 2) or in the behaviour a user
expects — never in running code from a results folder, writing outside ``--out``, or a
traceback."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import pickle
import re
import shutil
import signal
import struct
import subprocess
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli_command

from tournament import ScenarioError, StrategyError, run_scenario
from tournament.cli import main
from tournament.execution.checkpoint import (
    FOLDER,
    MAGIC,
    CheckpointError,
    decode_payload,
    encode_record,
    pending_checkpoint,
    scenario_fingerprint,
)
from tournament.output.folder import FolderInUse, ResultsFolder
from tournament.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]

PD = """seed = 3
[game]
name = "prisoners_dilemma"
[tournament]
turns = 8
noise = 0.1
[report]
plots = false
"""

BAD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from strategies import Strategy

    class Raiser(Strategy):
        '''Raises in round 2 of match ``at`` while a file ``fail.flag`` sits next to this file.'''
        stochastic = False
        def __init__(self, at=2):
            self.at = at
        def choose(self, view):
            if view.match_id == self.at and view.round == 2 and (Path(__file__).parent / "fail.flag").exists():
                raise RuntimeError("boom")
            return "C"

    class Exiter(Strategy):
        stochastic = False
        def choose(self, view):
            if view.round == 1:
                sys.exit(3)
            return 0

    class Mover(Strategy):
        '''Changes the working directory in the middle of a match.'''
        stochastic = False
        def choose(self, view):
            os.chdir(Path(__file__).parent / "elsewhere")
            return 0

    class InitRuntime(Strategy):
        def __init__(self):
            raise RuntimeError("no licence")

    class InitKey(Strategy):
        def __init__(self):
            {}["missing"]
""")


def entrants(*names: str) -> str:
    return "".join(f'[[entrants]]\nstrategy = "{s}"\n' for s in names)


def cli(*args) -> tuple[int, str]:
    """Run the command line in this process: (exit status, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(a) for a in args])
    return code, err.getvalue()


def flat(text: str) -> str:
    """A wrapped message on one line."""
    return " ".join(text.split())


def one_message(err: str) -> bool:
    """One error paragraph: 'error: ...' and indented continuation lines, no traceback."""
    lines = [ln for ln in err.splitlines() if ln and not ln.startswith("warning:")]
    return (
        bool(lines)
        and lines[0].startswith("error: ")
        and all(ln.startswith("  ") for ln in lines[1:])
        and "Traceback" not in err
    )


def files(folder: Path) -> dict[str, bytes]:
    """The results files below ``folder`` (hidden entries — checkpoint, lock — left out)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and not p.is_symlink() and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = p.read_bytes()
    return out


def records(out: Path) -> list[dict]:
    """The decoded records of a checkpoint (without running anything)."""
    data = (out / FOLDER / "results.bin").read_bytes()
    assert data.startswith(MAGIC)
    pos, docs = len(MAGIC), []
    while pos + 40 <= len(data):
        (n,) = struct.unpack_from("<Q", data, pos)
        docs.append(decode_payload(memoryview(data)[pos + 40 : pos + 40 + n]))
        pos += 40 + n
    return docs


def write_records(out: Path, docs: list[dict]) -> None:
    """Rewrite a checkpoint from records (with valid checksums: a deliberate forgery)."""
    parts = [MAGIC]
    for d in docs:
        parts += [bytes(p) for p in encode_record(d)]
    (out / FOLDER / "results.bin").write_bytes(b"".join(parts))


@pytest.fixture
def aborted(tmp_path):
    """A scenario whose run stopped at match 2 (a strategy raised), with matches 0 and 1 and
    the automaton-only match 3 (the batch engine plays those first) checkpointed; removing
    ``fail.flag`` lets it finish."""
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "fail.flag").write_text("")
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim", "always_defect", "bad.py:Raiser"))
    out = tmp_path / "out"
    code, err = cli("run", path, "--out", out, "--quiet")
    assert code == 2 and "choose raised RuntimeError: boom" in flat(err)
    assert pending_checkpoint(out) == 3
    return path, out


# ------------------------------------------------------------------ checkpoints are data
class Payload:
    """What an attacker would put in a pickle: touching a file when unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_crafted_pickle_checkpoint_is_rejected_and_runs_nothing(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim"))
    out, marker = tmp_path / "out", tmp_path / "pwned"
    (out / FOLDER).mkdir(parents=True)
    fingerprint, files_ = scenario_fingerprint(load_scenario(path))  # the fingerprint is public
    (out / FOLDER / "fingerprint.json").write_text(json.dumps({"fingerprint": fingerprint, "strategy_files": files_}))
    blob = pickle.dumps(("play_task:MatchTask(match_id=0, repetition=0, seating=(0, 1))", Payload(marker)))
    crafted = struct.pack("<Q", len(blob)) + blob  # the old format: a length-prefixed pickle
    (out / FOLDER / "results.bin").write_bytes(crafted)
    pickle.loads(blob)
    assert marker.exists()  # (the payload works when unpickled…)
    marker.unlink()
    code, err = cli("run", path, "--out", out, "--quiet", "--resume")
    assert code == 2 and one_message(err) and "not a checkpoint this version can read" in flat(err)
    assert not marker.exists()  # …and reading the folder never unpickled it
    assert (out / FOLDER / "results.bin").read_bytes() == crafted  # nothing ran, nothing deleted
    assert not (out / "matches.csv").exists()
    code, err = cli("run", path, "--out", out, "--quiet")
    assert code == 2 and "--restart" in flat(err)
    assert cli("run", path, "--out", out, "--quiet", "--restart")[0] == 0
    assert not marker.exists() and (out / "matches.csv").exists() and not (out / FOLDER).exists()


@pytest.mark.parametrize(
    "edit, needle",
    [
        (lambda row: row.update(payoff_0=999.0), "payoff_0 = 999.0 is outside the possible range [0, 3]"),
        (lambda row: row.update(entrant_1="FORGED"), "seat 1 is 'FORGED', not 'grim'"),
        (lambda row: row.update(payoff_0=row["payoff_0"] + 0.5), "mean payoffs differ from the recorded rounds"),
        (lambda row: row.update(match_id=7), "its row has match_id 7"),
        (lambda row: row.update(settled=not row["settled"]), "does not follow from its rounds"),
    ],
    ids=["payoff 999", "forged entrant", "plausible payoff", "match id", "analysis column"],
)
def test_an_edited_record_is_rejected_not_merged(aborted, edit, needle):
    path, out = aborted
    docs = records(out)
    edit(docs[0]["value"].row)
    write_records(out, docs)
    before = (out / FOLDER / "results.bin").read_bytes()
    (path.parent / "fail.flag").unlink()  # the user fixed the strategy: the resume would now finish
    code, err = cli("run", path, "--out", out, "--quiet", "--resume")
    assert code == 2 and one_message(err), err
    assert "does not belong to this run" in flat(err) and needle in flat(err) and "nothing was run" in flat(err)
    assert (out / FOLDER / "results.bin").read_bytes() == before and not (out / "matches.csv").exists()


def test_a_record_of_another_match_or_kind_is_rejected(aborted):
    path, out = aborted
    docs = records(out)
    docs[1]["fields"]["seating"] = [2, 1]  # match 1 of this schedule seats (0, 2)
    write_records(out, docs)
    with pytest.raises(CheckpointError, match="match 1 .* is not a match of this run"):
        run_scenario(path, out=out, resume=True)
    docs = records(out)[:1]
    docs[0]["task"] = "moran_task"
    write_records(out, docs)
    with pytest.raises(CheckpointError, match="'moran_task' result does not belong to a round_robin run"):
        run_scenario(path, out=out, resume=True)


def test_a_flipped_bit_drops_the_record_and_the_resume_equals_an_uninterrupted_run(aborted):
    path, out = aborted
    (path.parent / "fail.flag").unlink()
    full = path.parent / "full"
    assert cli("run", path, "--out", full, "--quiet")[0] == 0
    data = bytearray((out / FOLDER / "results.bin").read_bytes())
    data[-5] ^= 0x10  # inside the last record's payload
    (out / FOLDER / "results.bin").write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="record 3 is corrupted"):
        run_scenario(path, out=out, resume=True)
    for name in ("matches.csv", "summary.json", "rounds.npz", "matches.parquet"):
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    assert json.loads((out / "run_info.json").read_text())["resumed_tasks"] == 2


KINDS = {
    "moran": {"kind": "moran", "turns": 20, "repetitions": 2, "noise": 0.02, "runs": 4},
    "random_matching": {"kind": "random_matching", "turns": 30, "noise": 0.01, "runs": 3, "generations": 2},
    "replicator": {"kind": "replicator", "turns": 20, "repetitions": 2, "noise": 0.05, "generations": 20},
    "forfeits, prob_end": {"turns": 30, "prob_end": 0.1, "repetitions": 2, "noise": 0.05, "on_error": "forfeit"},
}


@pytest.mark.parametrize("settings", KINDS.values(), ids=KINDS.keys())
def test_genuine_checkpoints_of_every_kind_pass_the_checks_and_resume_identically(tmp_path, monkeypatch, settings):
    from tournament.execution.checkpoint import Checkpoint

    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "fail.flag").write_text("")  # the Raiser fails in match 2: a forfeited row
    counts = {"tit_for_tat": 3, "always_defect": 1} if "kind" in settings else {}
    sc = {
        "seed": 5,
        "game": {"name": "prisoners_dilemma"},
        "report": {"plots": False},
        "tournament": settings,
        "entrants": [{"strategy": s, "count": counts.get(s, 1)} for s in ("tit_for_tat", "always_defect")]
        + ([] if "kind" in settings else [{"strategy": "bad.py:Raiser"}]),
    }
    run_scenario(sc, out=tmp_path / "full", base_dir=tmp_path)
    with monkeypatch.context() as m:
        m.setattr(Checkpoint, "discard", Checkpoint.close)  # keep every record of a finished run
        run_scenario(sc, out=tmp_path / "kept", base_dir=tmp_path)
    kept = pending_checkpoint(tmp_path / "kept")
    assert kept
    (tmp_path / "kept" / "run_info.json").unlink()
    run_scenario(sc, out=tmp_path / "kept", base_dir=tmp_path, resume=True)  # every record checked, none refused
    assert json.loads((tmp_path / "kept" / "run_info.json").read_text())["resumed_tasks"] == kept
    for name in ("matches.csv", "summary.json", "shares.csv"):
        if (tmp_path / "full" / name).exists():
            assert (tmp_path / "kept" / name).read_bytes() == (tmp_path / "full" / name).read_bytes(), name
    if "on_error" in settings:
        assert (pd.read_csv(tmp_path / "full" / "matches.csv")["status"] == "failed").sum() == 1


# ------------------------------------------------------------------ links and odd entries in the folder
def test_a_symlinked_results_file_is_never_followed(aborted, tmp_path):
    path, out = aborted
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / FOLDER / "results.bin").unlink()
    (out / FOLDER / "results.bin").symlink_to(victim)
    code, err = cli("run", path, "--out", out, "--quiet", "--resume")
    assert code == 2 and one_message(err) and "not a checkpoint file" in flat(err)
    (path.parent / "fail.flag").unlink()
    assert cli("run", path, "--out", out, "--quiet", "--restart")[0] == 0
    assert victim.read_text() == "precious" and (out / "matches.csv").exists()


def test_a_symlinked_checkpoint_folder_is_refused_and_restart_removes_only_the_link(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "results.bin").write_bytes(b"someone else's data")
    out = tmp_path / "out"
    out.mkdir()
    (out / FOLDER).symlink_to(elsewhere, target_is_directory=True)
    for extra in ([], ["--resume"]):
        code, err = cli("run", path, "--out", out, "--quiet", *extra)
        assert code == 2 and one_message(err) and "symbolic link" in flat(err)
    assert cli("run", path, "--out", out, "--quiet", "--restart")[0] == 0
    assert (elsewhere / "results.bin").read_bytes() == b"someone else's data"
    assert not (out / FOLDER).exists()


def test_results_bin_a_folder_and_a_corrupt_fingerprint_are_clear_errors(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim"))
    out = tmp_path / "out"
    (out / FOLDER / "results.bin").mkdir(parents=True)
    for extra in ([], ["--resume"]):
        code, err = cli("run", path, "--out", out, "--quiet", *extra)
        assert code == 2 and one_message(err) and "not a checkpoint file" in flat(err)
    assert cli("run", path, "--out", out, "--quiet", "--restart")[0] == 0
    (out / FOLDER).mkdir()
    (out / FOLDER / "results.bin").write_bytes(MAGIC)
    for junk in (b"[]", b"\xff\xfe", b'{"fingerprint": 3}'):
        (out / FOLDER / "fingerprint.json").write_bytes(junk)
        code, err = cli("run", path, "--out", out, "--quiet", "--resume")
        assert code == 2 and one_message(err) and "no readable fingerprint.json" in flat(err)


def test_a_population_folder_that_is_a_link_is_refused_before_anything_runs(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        PD
        + '[[populations]]\nname = "a"\n'
        + entrants("tit_for_tat", "grim").replace("[[entrants]]", "[[populations.entrants]]")
        + '[[populations]]\nname = "b"\n'
        + entrants("grim", "always_defect").replace("[[entrants]]", "[[populations.entrants]]")
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "a").symlink_to(outside, target_is_directory=True)
    code, err = cli("run", path, "--out", out, "--quiet")
    assert code == 2 and one_message(err) and "symbolic link" in flat(err)
    assert list(outside.iterdir()) == [] and not (out / FOLDER).exists()


# ------------------------------------------------------------------ nothing is written outside --out
def test_a_dot_dot_population_name_is_refused_and_nothing_leaves_the_folder(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    path = work / "s.toml"
    pops = "".join(
        f'[[populations]]\nname = "{n}"\n[[populations.entrants]]\nstrategy = "grim"\n'
        f'[[populations.entrants]]\nstrategy = "tit_for_tat"\n'
        for n in ("..", "ok")
    )
    path.write_text(PD + pops)
    code, err = cli("run", path, "--out", work / "out", "--quiet")
    assert (
        code == 2
        and one_message(err)
        and "populations[0].name" in flat(err)
        and "leaves the results folder" in flat(err)
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"] and sorted(p.name for p in work.iterdir()) == [
        "s.toml"
    ]


@pytest.mark.parametrize("a, b", [("a b", "a/b"), ("Mixed", "mixed"), ("x", "x.")])
def test_population_names_with_the_same_folder_are_refused(tmp_path, a, b):
    pops = "".join(
        f'[[populations]]\nname = "{n}"\n[[populations.entrants]]\nstrategy = "grim"\n'
        f'[[populations.entrants]]\nstrategy = "tit_for_tat"\n'
        for n in (a, b)
    )
    if b == "x.":  # "x." and "x" are distinct folders: no clash, and it runs
        run_scenario(load_scenario_text(tmp_path, PD + pops), out=tmp_path / "o")
        assert (tmp_path / "o" / "x").is_dir() and (tmp_path / "o" / "x.").is_dir()
        return
    with pytest.raises(ScenarioError, match=r"populations\[1\]\.name.*both be written to the folder"):
        load_scenario_text(tmp_path, PD + pops)


def load_scenario_text(tmp_path, text):
    p = tmp_path / "s.toml"
    p.write_text(text)
    return load_scenario(p)


def test_compare_refuses_a_file_whose_name_would_leave_the_folder(tmp_path):
    work = tmp_path / "work"
    (work / "prev" / "cmp").mkdir(parents=True)
    a, dots = work / "a.toml", work / "...toml"
    a.write_text(PD + entrants("tit_for_tat", "grim"))
    dots.write_text(PD + entrants("always_defect", "grim"))
    before = files(work)
    code, err = cli("compare", a, dots, "--out", work / "prev" / "cmp", "--quiet")
    assert code == 2 and one_message(err) and "rename the file" in flat(err)
    assert files(work) == before


def test_the_default_results_folder_of_a_dot_dot_file_is_refused(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "...toml").write_text(PD + entrants("tit_for_tat", "grim"))
    monkeypatch.chdir(work)
    code, err = cli("run", "...toml", "--quiet")  # results/<stem> would be results/.. = here
    assert code == 2 and one_message(err) and "give --out or rename the file" in flat(err)
    assert sorted(p.name for p in work.iterdir()) == ["...toml"]


def test_out_naming_a_file_is_a_clear_error(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim"))
    code, err = cli("run", path, "--out", path, "--quiet")
    assert code == 2 and one_message(err) and "is a file, not a folder" in flat(err)
    assert path.read_text().startswith("seed = 3")


def test_a_strategy_that_changes_directory_does_not_move_the_results(tmp_path, monkeypatch):
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "s.toml").write_text(PD + entrants("tit_for_tat", "bad.py:Mover"))
    monkeypatch.chdir(tmp_path)
    assert cli("run", "s.toml", "--out", "out", "--quiet", "--workers", "1")[0] == 0
    assert (tmp_path / "out" / "matches.csv").exists() and list((tmp_path / "elsewhere").iterdir()) == []


def test_files_listed_by_a_crafted_run_info_outside_the_folder_are_not_deleted(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim"))
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("the user's")
    (out / "run_info.json").write_text(
        json.dumps({"files": ["../victim.txt", str(victim), "sub/../../victim.txt", ".checkpoint/x", "summary.json"]})
    )
    assert cli("run", path, "--out", out, "--quiet")[0] == 0
    assert victim.read_text() == "keep me" and (out / "keep.txt").read_text() == "the user's"


def test_report_of_a_received_folder_with_a_crafted_population_writes_nothing_outside(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim"))
    out = tmp_path / "received"
    assert cli("run", path, "--out", out, "--quiet")[0] == 0
    summary = json.loads((out / "summary.json").read_text())
    summary["populations"] = {"../../escape": dict(summary), "ok": dict(summary)}
    (out / "summary.json").write_text(json.dumps(summary))
    before = files(tmp_path)
    code, err = cli("report", out)
    assert code == 2 and one_message(err) and "leaves the results folder" in flat(err)
    assert files(tmp_path) == before


# ------------------------------------------------------------------ reports show text as text
HOSTILE = (
    'name = "<script>alert(1)</script>"\ndescription = """Look: <img src=x onerror=alert(2)>\n'
    '![secret](../secret.png) <img src="{secret}"> [click](javascript:alert(3))\n# not a heading"""\n'
)


def test_markup_in_scenario_text_is_shown_as_text(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        HOSTILE.format(secret="/nope.png")
        + PD.replace("plots = false", "plots = true")
        + '[[entrants]]\nstrategy = "grim"\nname = "<b>bold</b> *x* | y"\n'
        + entrants("tit_for_tat")
    )
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--quiet")[0] == 0
    page = (out / "report.html").read_text()
    assert "<script" not in page.lower() and not re.search(r"<img[^>]*onerror", page)
    assert not re.search(r"<img[^>]*src=\"(x|/|\.\.|javascript)", page) and "<b>bold" not in page
    assert 'href="javascript' not in page and "<h1>not a heading" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; *x* | y" in page  # the entrant's name, as written
    md = (out / "report.md").read_text()
    assert "<script>" not in md and "&lt;script>" in md


def _png(path: Path, colour: int) -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.patch.set_facecolor((colour / 255, 0, 0))
    fig.savefig(path)
    return path.read_bytes()


def test_only_the_images_the_report_drew_are_embedded(tmp_path):
    secret = _png(tmp_path / "secret.png", 200)
    path = tmp_path / "s.toml"
    path.write_text(
        HOSTILE.format(secret=tmp_path / "secret.png")
        + PD.replace("plots = false", "plots = true")
        + entrants("tit_for_tat", "grim", "always_defect")
    )
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--quiet")[0] == 0
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', (out / "report.html").read_text())
    drawn = {base64.b64encode(p.read_bytes()).decode() for p in out.glob("*.png")}
    assert embedded and set(embedded) <= drawn
    assert base64.b64encode(secret).decode() not in (out / "report.html").read_text()
    # re-rendering a received folder whose summary now points at local files
    (out / "inside.png").write_bytes(secret)
    summary = json.loads((out / "summary.json").read_text())
    summary["description"] += '\n<img src="inside.png"> ![x](inside.png)'
    summary["scenario"] = '![x](inside.png)<img src="../secret.png">'
    (out / "summary.json").write_text(json.dumps(summary))
    assert cli("report", out)[0] == 0
    page = (out / "report.html").read_text()
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert embedded and base64.b64encode(secret).decode() not in page


# ------------------------------------------------------------------ one run per folder
def test_a_second_run_into_a_locked_folder_is_told_who_holds_it(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("tit_for_tat", "grim"))
    out = tmp_path / "out"
    holder = ResultsFolder(out)
    holder.prepare()
    with holder:
        for kw in ({}, {"restart": True}, {"resume": True}):
            with pytest.raises(FolderInUse, match=f"in use by process {os.getpid()}"):
                run_scenario(path, out=out, **kw)
        assert not (out / FOLDER).exists() and not (out / "matches.csv").exists()
    run_scenario(path, out=out)
    assert (out / "matches.csv").exists() and not (out / ".lock").exists()


@pytest.mark.slow
def test_restart_while_another_process_runs_is_refused(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PD.replace("turns = 8", "turns = 20000") + entrants("tit_for_tat", "grim", "random", "alternator"))
    out = tmp_path / "out"
    cmd, env = cli_command("run", path, "--out", out, "--quiet")
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ((out / ".lock").exists() and (out / ".lock").read_text().strip() == str(proc.pid)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.01)
        code, err = cli("run", path, "--out", out, "--quiet", "--restart")
        assert code == 2 and one_message(err) and f"in use by process {proc.pid}" in flat(err)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    assert proc.returncode in (0, 130) and not (out / ".lock").exists()


# ------------------------------------------------------------------ a full disk
@pytest.fixture
def small_disk(tmp_path):
    """A 1.5 MB tmpfs (needs root and permission to mount; skipped otherwise)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_full_disk_is_one_message_and_the_previous_results_survive(tmp_path, small_disk):
    small = tmp_path / "small.toml"
    small.write_text(PD + entrants("tit_for_tat", "grim"))
    out = small_disk / "out"
    assert cli("run", small, "--out", out, "--quiet")[0] == 0
    before = files(out)
    big = tmp_path / "big.toml"  # its checkpoint alone (the rounds, uncompressed) exceeds the disk
    big.write_text(
        PD.replace("turns = 8", "turns = 3000\nrepetitions = 3").replace("plots = false", "plots = false\ntraces = 3")
        + entrants("random", "tit_for_tat", "grim", "alternator", "always_defect", "win_stay_lose_shift")
    )
    code, err = cli("run", big, "--out", out, "--quiet")
    assert code == 2 and one_message(err), err
    text = " ".join(err.split())
    assert "no space left on device" in text and f"tournament run {big} --out {out} --resume" in text
    assert files(out) == before  # the previous report, summary and run_info.json are untouched
    assert not (out / ".staging").exists()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    assert cli("run", big, "--out", out, "--quiet", "--resume")[0] == 0
    full = tmp_path / "full"
    assert cli("run", big, "--out", full, "--quiet")[0] == 0
    for name in ("matches.csv", "rounds.npz", "summary.json"):
        assert (out / name).read_bytes() == (full / name).read_bytes(), name


# ------------------------------------------------------------------ sizes are checked before anything runs
SIZES = [
    ("[tournament]\nturns = 1_000_000_000_000\n", "tournament.turns", "of memory"),
    ("[tournament]\nprob_end = 1e-9\n", "tournament.prob_end", "of memory"),
    ("[tournament]\nrepetitions = 1_000_000_000_000\n", "tournament.repetitions", "of memory"),
    ("[tournament]\ntime_limit = 1e300\n", "tournament.time_limit", "at most 1e+07"),
    ('[tournament]\nkind = "moran"\n', "tournament.max_generations", "years of computing"),
    (
        '[tournament]\nkind = "moran"\npopulation_size = 1_000_000_000_000\n',
        "tournament.population_size",
        "up to 2,000,000",
    ),
    (
        '[tournament]\nkind = "replicator"\ngenerations = 1_000_000_000_000\ntolerance = 0\n',
        "tournament.generations",
        "of memory",
    ),
    (
        '[tournament]\nkind = "moran"\n[tournament.graph]\ninteraction = "complete"\n',
        "tournament.graph.interaction",
        "edges",
    ),
]


@pytest.mark.parametrize("table, key, needle", SIZES, ids=[s[1] + ":" + s[0].split("\n")[1] for s in SIZES])
def test_absurd_sizes_are_refused_at_validation(tmp_path, table, key, needle):
    count = 1_000_000 if "moran" in table and "population_size" not in table else 1
    text = (
        '[game]\nname = "prisoners_dilemma"\n'
        + table
        + f'[[entrants]]\nstrategy = "tit_for_tat"\ncount = {count}\n[[entrants]]\nstrategy = "always_defect"\n'
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(tmp_path, text)
    assert f"key '{key}'" in str(err.value) and needle in str(err.value)


@pytest.mark.parametrize(
    "text, key, needle",
    [
        (
            '[[entrants]]\nstrategy = "tit_for_tat"\ncount = 1_000_000_000_000\n',
            "entrants[0].count",
            "at most 2,000,000",
        ),
        (
            '[tournament]\nkind = "moran"\n[sweep]\n"entrants[0].params.p" = ['
            + ", ".join(["0.5"] * 1000)
            + ']\n"entrants[1].count" = ['
            + ", ".join(map(str, range(1, 1001)))
            + "]\n"
            '[[entrants]]\nstrategy = "random"\n',
            "sweep",
            "sweep points",
        ),
    ],
    ids=["count 10^12", "10^6-point sweep"],
)
def test_counts_and_sweeps_are_refused_before_they_are_built(tmp_path, text, key, needle):
    text = '[game]\nname = "prisoners_dilemma"\n' + text + '[[entrants]]\nstrategy = "always_defect"\n'
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(tmp_path, text)
    assert f"key '{key}'" in str(err.value) and needle in str(err.value)


def test_payoffs_near_the_float_limit_are_refused_before_matches_run(tmp_path):
    inline = (
        '[game]\nactions = [["C", "D"], ["C", "D"]]\npayoffs = [[[1e308, 1e308], [0, 1e308]], [[1e308, 0], [1, 1]]]\n'
    )
    with pytest.raises(ScenarioError, match=r"key 'game.payoffs'.*magnitude at most 1e\+15"):
        load_scenario_text(tmp_path, inline + entrants("tit_for_tat", "grim"))
    lib = '[game]\nname = "prisoners_dilemma"\nparams = { T = 1e308 }\n'
    with pytest.raises(ScenarioError, match=r"key 'game.params'"):
        load_scenario_text(tmp_path, lib + entrants("tit_for_tat", "grim"))


def test_the_estimate_counts_matches_by_formula_and_workers_raise_it(tmp_path):
    from tournament.scenario import budget, sizes

    sc = load_scenario_text(tmp_path, PD + entrants("tit_for_tat", "grim"))
    assert sizes.n_seatings(250, 2, True, False) == 250 * 249 // 2
    assert sizes.n_seatings(4, 3, False, True) == 64 and sizes.n_seatings(4, 3, False, False) == 24
    assert budget.estimate(sc, workers=4).memory > budget.estimate(sc, workers=1).memory
    mean, longest = sizes.match_length(None, 0.01, 1000)
    assert mean == 100 and (1 - 0.01) ** longest <= 1e-3 / 1000 < (1 - 0.01) ** (longest - 1)


# ------------------------------------------------------------------ clean messages for everything else
def test_a_non_utf8_file_and_deep_nesting_are_one_message(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('name = "caf\u00e9"\n'.encode("latin-1") + (PD + entrants("grim", "tit_for_tat")).encode())
    code, err = cli("run", bad, "--out", tmp_path / "o", "--quiet")
    assert code == 2 and one_message(err) and "not UTF-8 text (byte 0xe9 on line 1)" in flat(err)
    deep = tmp_path / "deep.toml"
    deep.write_text(
        PD
        + entrants("grim")
        + '[[entrants]]\nstrategy = "tit_for_tat"\nparams = { a = '
        + "[" * 5000
        + "]" * 5000
        + " }\n"
    )
    code, err = cli("run", deep, "--out", tmp_path / "o", "--quiet")
    assert code == 2 and one_message(err) and "nested" in flat(err)
    shallow_but_deep = {
        "game": {"name": "prisoners_dilemma"},
        "entrants": [{"strategy": "grim"}],
        "x": json.loads("[" * 100 + "]" * 100),
    }
    with pytest.raises(ScenarioError, match=r"nested more than 32 levels deep"):
        run_scenario(shallow_but_deep)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "cls, needle", [("InitRuntime", "RuntimeError: no licence"), ("InitKey", "KeyError: 'missing'")]
)
def test_a_strategy_constructor_that_raises_names_strategy_and_entrant(tmp_path, cls, needle):
    (tmp_path / "bad.py").write_text(BAD)
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("grim", f"bad.py:{cls}"))
    code, err = cli("run", path, "--out", tmp_path / "o", "--quiet")
    assert code == 2 and one_message(err)
    assert f"bad.py:{cls}" in flat(err) and "entrants[1]" in flat(err) and needle in err


def test_sys_exit_in_a_strategy_file_or_in_choose_is_a_strategy_error(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "exits.py").write_text("import sys\nsys.exit(0)\n")
    path = tmp_path / "s.toml"
    path.write_text(PD + entrants("grim", "exits.py:Nothing"))
    code, err = cli("run", path, "--out", tmp_path / "o", "--quiet")
    assert code == 2 and one_message(err) and "raised sys.exit(0)" in flat(err)
    path.write_text(PD + entrants("grim", "bad.py:Exiter"))
    for workers in ("1", "2"):
        code, err = cli("run", path, "--out", tmp_path / f"o{workers}", "--quiet", "--workers", workers)
        assert code == 2 and one_message(err), err
        assert "strategy 'bad.py:Exiter', seat 1, match 0, round 1: choose called sys.exit(3)" in " ".join(err.split())


@pytest.mark.parametrize("name", ["nul\x00byte", "evil\u202etxt.exe", "zero\u200bwidth", "line\nbreak"])
def test_names_with_control_or_bidi_characters_are_refused(tmp_path, name):
    sc = {
        "game": {"name": "prisoners_dilemma"},
        "entrants": [{"strategy": "grim", "name": name}, {"strategy": "tit_for_tat"}],
    }
    with pytest.raises(ScenarioError, match=r"key 'entrants\[0\]\.name'.*invisible or control character U\+"):
        run_scenario(sc, out=tmp_path / "o")
    pops = {
        "game": {"name": "prisoners_dilemma"},
        "populations": [
            {"name": name, "entrants": [{"strategy": "grim"}, {"strategy": "tit_for_tat"}]},
            {"name": "b", "entrants": [{"strategy": "grim"}, {"strategy": "tit_for_tat"}]},
        ],
    }
    with pytest.raises(ScenarioError, match=r"key 'populations\[0\]\.name'"):
        run_scenario(pops)
    assert not (tmp_path / "o").exists()


def kept_matches(out: Path) -> set[int]:
    return {d["fields"]["match_id"] for d in records(out)}


@pytest.mark.slow
def test_an_abort_with_two_workers_keeps_every_match_one_worker_keeps(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "fail.flag").write_text("")
    sc = {
        "seed": 2,
        "game": {"name": "prisoners_dilemma"},
        "report": {"plots": False},
        "tournament": {"turns": 30, "noise": 0.05},
        "entrants": [
            {"strategy": s}
            for s in (
                "tit_for_tat",
                "grim",
                "random",
                "alternator",
                "always_defect",
                "win_stay_lose_shift",
                "go_by_majority",
                "tit_for_two_tats",
            )
        ]
        + [{"strategy": "bad.py:Raiser", "params": {"at": 29}}],
    }
    messages, kept = [], []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        with pytest.raises(StrategyError) as err:
            run_scenario(sc, out=out, workers=workers, base_dir=tmp_path)
        messages.append(str(err.value).split(" (the run stopped")[0])
        kept.append(kept_matches(out))
    assert messages[0] == messages[1] and "match 29, round 2" in messages[0]
    # one worker keeps every match before the failing one, and the automaton-only matches of
    # its repetition (the batch engine plays them first); two workers keep at least those
    from tournament.kinds.round_robin import seatings

    automata_only = {j for j, seats in enumerate(seatings(9, 2, True, False)) if 8 not in seats}
    assert kept[0] == set(range(29)) | automata_only and kept[1] >= kept[0]
