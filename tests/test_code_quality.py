"""The code checks CI runs with the suite: ruff lint, ruff format, mypy on the packages.

Each runs as a subprocess of this interpreter (``python -m ruff`` / ``python -m mypy``) from the
repository root, so it reads its settings from pyproject.toml, and its output is shown on failure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _assert_clean(proc: subprocess.CompletedProcess[str], what: str) -> None:
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module", autouse=True)
def _tools_installed():
    for module in ("ruff", "mypy"):
        proc = _run(module, "--version")
        if proc.returncode != 0:  # the test extra installs both: their absence is a broken install, not a skip
            pytest.fail(f"{module} is not installed: pip install -e '.[test]'\n{proc.stderr}")


def test_ruff_lint():
    _assert_clean(_run("ruff", "check", "--no-cache", "."), "ruff check")


def test_ruff_format():
    """Every file is laid out as ``ruff format`` lays it out: a real check, not a warning.

    To fix a failure, run ``ruff format .`` and commit the result.
    """
    # concise: one line per file to reformat (the full diff of a tree never formatted is thousands of lines)
    proc = _run("ruff", "format", "--check", "--no-cache", "--output-format", "concise", ".")
    _assert_clean(proc, "ruff format --check (run `ruff format .`)")


def test_mypy(tmp_path_factory):
    # a cache that lives as long as this test session's temp folders: repeated runs reuse it
    # (pytest keeps the last few basetemps), and the working tree gets no cache folder
    cache = tmp_path_factory.getbasetemp().parent / "mypy_cache"
    _assert_clean(_run("mypy", "--cache-dir", str(cache)), "mypy")
