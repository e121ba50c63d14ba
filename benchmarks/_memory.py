"""Shared by the memory benchmarks: run a workload in a fresh Python process against a given
source tree and report its peak resident memory (``ru_maxrss``), and fetch an earlier
revision of this repository to compare against."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: v0.1 as checked from outside, before the hardening work (issue 15)
BEFORE = "76297d4"


def tree_at(rev: str, into: Path) -> Path | None:
    """The repository's files at ``rev`` extracted below ``into`` (None without git, or for
    ``rev = "none"``)."""
    if rev.lower() in ("", "none"):
        return None
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "tree.tar"
    done = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), rev], capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"(cannot get revision {rev}: {done.stderr.strip()}; 'before' skipped)")
        return None
    with tarfile.open(archive) as tar:
        tar.extractall(into / "src", filter="data")
    return into / "src"


def measure(tree: Path, code: str, *args: str) -> dict:
    """Run ``code`` (which prints one JSON line) with ``tree`` first on the path."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=tempfile.gettempdir()
    )
    if done.returncode != 0:
        raise RuntimeError(f"workload failed in {tree}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


PEAK = "import resource\ndef peak_mb():\n    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
