"""Builders shared by the test modules: a scenario dict, a scenario file, the CLI as a subprocess.

Test modules import them (``from conftest import ...``): pytest puts this folder on ``sys.path``
(tests/ is not a package), and a plain function keeps the call sites short where a fixture
would add a parameter to every test.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def scenario_dict(
    entrants: Iterable[str | dict[str, Any]],
    game: str | dict[str, Any] = "prisoners_dilemma",
    *,
    name: str = "test",
    seed: int = 1,
    tournament: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A scenario as ``load_scenario``/``run_scenario`` take it: a strategy name stands for
    ``{"strategy": name}``, a game name for ``{"name": game}``; ``extra`` adds top-level tables."""
    return {
        "name": name,
        "seed": seed,
        "game": {"name": game} if isinstance(game, str) else game,
        "tournament": dict(tournament or {}),
        "entrants": [{"strategy": e} if isinstance(e, str) else e for e in entrants],
        **extra,
    }


def write_toml(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    """Write ``text`` (dedented) as ``tmp_path/name`` and return the path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def cli_command(*args: object) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run ``tournament`` in a fresh interpreter on this
    checkout (for tests that signal, time or kill the process)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return [sys.executable, "-m", "tournament.cli", *map(str, args)], env
