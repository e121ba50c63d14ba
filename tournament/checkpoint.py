"""Checkpoints: finished work survives Ctrl-C, SIGKILL or a lost worker.

While a run writes to ``DIR``, every finished task's result (a match record with its
``matches.csv`` row and per-round data, or a population run) is appended to
``DIR/.checkpoint/results.bin`` as soon as it arrives: a length-prefixed pickle record,
flushed at once (so a killed process loses nothing the OS has seen) and fsynced at least
every half second (so a machine crash loses at most that). ``fingerprint.json`` identifies
the scenario. ``tournament run … --resume`` reloads the records, skips those tasks, and
finishes with exactly the results of an uninterrupted run: every task is seeded by its own
id, so it does not matter which tasks ran before the interruption. A truncated last record
(the process died mid-write) is dropped and its task runs again. On success the checkpoint
is removed.

The records are pickles written by this program for this results folder; like any pickle,
do not load one from an untrusted source.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import struct
import time
from pathlib import Path
from typing import Any

from .errors import ScenarioError

FOLDER = ".checkpoint"
_HEADER = struct.Struct("<Q")
_MISSING = object()
FSYNC_INTERVAL = 0.5


def scenario_fingerprint(scenario) -> tuple[str, dict]:
    """A hash of everything that determines the results, and the hashes of user strategy
    files (reported, not enforced: fixing a strategy's bug and resuming is the user's call)."""
    content = {
        "game": {"actions": [list(a) for a in scenario.game.actions], "payoffs": scenario.game.payoffs.tolist()},
        "kind": scenario.kind,
        "settings": scenario.settings_dict(),
        "seed": scenario.seed,
        "report_traces": scenario.report.get("traces"),
        "populations": [[pop.name, [e.to_dict() for e in pop.entrants]] for pop in scenario.populations],
    }
    text = json.dumps(content, sort_keys=True, default=str)
    files = {}
    for pop in scenario.populations:
        for e in pop.entrants:
            ref = e.strategy if isinstance(e.strategy, str) else ""
            target = ref.rpartition(":")[0]
            if target.endswith(".py"):
                path = Path(target) if Path(target).is_absolute() else Path(e.base_dir or ".") / target
                if path.is_file():
                    files[str(path.resolve())] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashlib.sha256(text.encode()).hexdigest(), files


class Checkpoint:
    """Append-only store of finished task results under ``out/.checkpoint``."""

    def __init__(self, out: Path, fingerprint: str, files: dict | None = None, *, resume: bool = False):
        self.folder = Path(out) / FOLDER
        self.path = self.folder / "results.bin"
        self.fingerprint = fingerprint
        self.results: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.loaded = 0
        if resume and self.path.exists():
            self._load(files or {})
        else:
            if self.folder.exists():
                shutil.rmtree(self.folder)
            self.folder.mkdir(parents=True)
            meta = {"fingerprint": fingerprint, "strategy_files": files or {}}
            (self.folder / "fingerprint.json").write_text(json.dumps(meta, indent=2))
        self._fh = open(self.path, "ab")
        self._last_sync = time.monotonic()

    # ----------------------------------------------------------------- reading
    def _load(self, files: dict) -> None:
        meta_path = self.folder / "fingerprint.json"
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            raise ScenarioError(f"{self.folder}: the checkpoint has no readable fingerprint.json; "
                                "run again without --resume (or with --restart)") from None
        if meta.get("fingerprint") != self.fingerprint:
            raise ScenarioError(
                f"{self.folder.parent}: the interrupted run used a different scenario (game, entrants, "
                "settings or seed changed), so its results cannot be continued; run with --restart to "
                "discard them, or use another --out folder")
        for path, digest in (meta.get("strategy_files") or {}).items():
            if files.get(path) != digest:
                self.warnings.append(f"strategy file {path} changed since the interrupted run; "
                                     "the matches already finished were played with the old code")
        good = 0
        with open(self.path, "rb") as fh:
            data = fh.read()
        pos = 0
        while pos + _HEADER.size <= len(data):
            (size,) = _HEADER.unpack_from(data, pos)
            end = pos + _HEADER.size + size
            if end > len(data):
                break  # the process died mid-write: drop the partial record
            try:
                key, result = pickle.loads(data[pos + _HEADER.size : end])
            except Exception:  # noqa: BLE001 - a corrupt tail record
                break
            self.results[key] = result
            pos = good = end
        if good < len(data):
            with open(self.path, "r+b") as fh:
                fh.truncate(good)
        self.loaded = len(self.results)

    def get(self, key: str) -> Any:
        return self.results.get(key, _MISSING)

    def has(self, key: str) -> bool:
        return key in self.results

    # ----------------------------------------------------------------- writing
    def put(self, key: str, result: Any) -> None:
        if key in self.results:
            return
        blob = pickle.dumps((key, result), protocol=pickle.HIGHEST_PROTOCOL)
        self._fh.write(_HEADER.pack(len(blob)) + blob)
        self._fh.flush()
        self.results[key] = result
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_INTERVAL:
            os.fsync(self._fh.fileno())
            self._last_sync = now

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()

    def discard(self) -> None:
        """Remove the checkpoint after the results folder was written completely."""
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __len__(self) -> int:
        return len(self.results)


def pending_checkpoint(out: Path) -> int | None:
    """Number of finished tasks in an interrupted run's checkpoint in ``out`` (None if none)."""
    path = Path(out) / FOLDER / "results.bin"
    if not path.exists():
        return None
    count = 0
    data = path.read_bytes()
    pos = 0
    while pos + _HEADER.size <= len(data):
        (size,) = _HEADER.unpack_from(data, pos)
        pos += _HEADER.size + size
        if pos <= len(data):
            count += 1
    return count
