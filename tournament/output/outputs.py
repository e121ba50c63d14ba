"""Writing and reading the files of a results folder.

``DIR/summary.json``  scenario, game, kind, settings, entrants, standings, analysis rates
``DIR/matches.csv``   one row per match (see ``MATCH_COLUMNS_DOC``)
``DIR/rounds.npz``    per-round actions, payoffs and strategy traces of the kept matches
``DIR/report.md``     the human report (plus ``report.html`` and PNGs when plots are on)
``DIR/run_info.json`` timing, workers, backend, software versions (kept out of summary.json
                      so that the same scenario and seed give byte-identical summary and
                      matches files) and the list of files the run wrote: the next run into
                      the same folder removes those first, so no stale file survives

With several ``[[populations]]`` each gets a subfolder with the same files, and the top
``summary.json`` holds them side by side. A population's folder name is its name with every
run of characters other than letters, digits, ``.``, ``_`` and ``-`` replaced by ``_``
(``tournament.scenario.validation.slug``); the scenario validator rejects names whose folder
names clash or could leave the results folder (``folder_name_problem``).

A run writes its files into a staging folder and moves them into place only when all are
complete (see :mod:`.folder`): an interrupted or failed run never leaves a half-written
file nor removes the previous run's results. ``matches.csv`` and ``rounds.npz`` are written
as matches arrive (:class:`MatchStream`), so memory holds a compact table of the rows, not
every match's rounds.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from ..analysis.comparison import comparison_table, sweep_table
from ..analysis.matches import tidy_matches
from ..errors import TournamentError
from ..jsonable import jsonable
from ..scenario.validation import folder_name_problem, slug

MATCH_COLUMNS_DOC = """\
match_id            position of the match in the schedule (also keys its random seed)
repetition          repetition index (0-based)
entrant_i           display name of the entrant in seat i
payoff_i            seat i's mean payoff per round
turns               number of rounds played
settled             whether the joint play ended in a stable cycle (docs/statistics.md, "Settled")
cycle_period        period of that cycle; cycle_onset: first round of it
cycle_payoff_i      seat i's mean payoff over one period of the cycle
pareto_optimal      whether the cycle's mean payoff vector is Pareto-optimal (§6.2)
pareto_gap          LP distance of that vector to the Pareto frontier (0 when optimal)
coalition           coalition structure of a settled k >= 3 match, e.g. {0,1}|{2} (§6.3)
"""


def inside(root: Path, relative: str) -> Path:
    """``root / relative`` for a relative POSIX path read from a results folder (a
    ``run_info.json`` file list, a comparison's folder), refused unless every part is a plain
    name: no ``..``, no absolute path, no hidden part."""
    parts = str(relative).split("/")
    if not relative or any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        raise TournamentError(
            f"{root}: refusing the path {relative!r} read from the folder (it is not a plain relative path inside it)"
        )
    return Path(root).joinpath(*parts)


def subfolder(root: Path, population: str) -> Path:
    """The folder of a population inside ``root``, refused if its name could not have been
    written by a run (a crafted summary)."""
    problem = folder_name_problem(population)
    if problem:
        raise TournamentError(f"{root}: population {population!r} {problem}")
    return Path(root) / slug(population)


def read_summary(folder: Path) -> dict:
    """``summary.json`` of a results folder, read without following a symbolic link and
    checked to be a results summary (a received folder may hold anything)."""
    path = Path(folder) / "summary.json"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        raise TournamentError(
            f"{folder}: no summary.json here; is this a results folder of 'tournament run'?"
        ) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise TournamentError(f"{path}: cannot read it as a results summary ({exc})") from None
    ok = (
        isinstance(data, dict)
        and isinstance(data.get("scenario"), str)
        and isinstance(data.get("game"), dict)
        and isinstance(data["game"].get("name"), str)
        and isinstance(data["game"].get("players"), list)
        and isinstance(data.get("kind"), str)
        and isinstance(data.get("populations", {}), dict)
        and all(isinstance(v, dict) for v in data.get("populations", {}).values())
    )
    if not ok:
        raise TournamentError(
            f"{path}: not a results summary of this program (missing or mistyped scenario, game, kind or populations)"
        )
    return data


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what open() would give; mkstemp's temporaries are 0600


def atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place, so
    that a results file is either the old one or the complete new one, never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    atomic_write(path, write)


def listing(folder: Path) -> set[str]:
    """Files below ``folder`` (relative POSIX paths); hidden entries (the checkpoint, the
    lock, the staging folder, temporaries) excluded."""
    folder = Path(folder)
    out = set()
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or p.name.endswith(".tmp"):
            continue
        if p.is_file() and not p.is_symlink():
            out.add(rel.as_posix())
    return out


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(jsonable(data), indent=2, allow_nan=True) + "\n")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def write_comparison(out: Path, populations: dict[str, dict], sweep: dict | None = None) -> pd.DataFrame:
    """Write ``comparison.csv`` (and ``sweep.csv`` for a sweep) into ``out``."""
    table = comparison_table(populations)
    write_csv(Path(out) / "comparison.csv", table)
    if sweep:
        write_csv(Path(out) / "sweep.csv", sweep_table(table, sweep))
    return table


def write_parquet(path: Path, frame: pd.DataFrame) -> bool:
    """``matches.parquet`` next to the CSV when pyarrow is installed (same columns and
    types; returns whether it was written)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return True


def _add_rounds(zf, match_id: int, data: dict) -> None:
    """One match's per-round arrays as ``m{match_id}/{key}.npy`` entries (fixed timestamps,
    so the same results give the same bytes)."""
    for key, arr in data.items():
        arr = np.asarray(arr)
        if arr.dtype == object:
            arr = arr.astype(str)
        info = zipfile.ZipInfo(f"m{match_id}/{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            np.lib.format.write_array(fh, arr, allow_pickle=False)


def write_rounds(path: Path, rounds: dict[int, dict]) -> None:
    """Per-round arrays of the kept matches as ``m{match_id}/{key}`` entries of an npz
    (readable with ``numpy.load``). Written with fixed zip timestamps so that the same
    results give a byte-identical file."""

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for match_id, data in sorted(rounds.items()):
                _add_rounds(zf, match_id, data)

    atomic_write(path, write)


class MatchStream:
    """One population's ``matches.csv`` and ``rounds.npz``, written as match records arrive
    (in match-id order, so the files do not depend on the worker count), with only a compact
    table of the rows kept in memory (:meth:`close` returns it as the matches DataFrame).

    Rows are written in blocks of ``block`` matches (a fixed count, so block boundaries —
    and the files — are the same for every run of the scenario). With ``folder=None``
    nothing is written: the stream only builds the table.
    """

    def __init__(self, folder: Path | None, block: int = 1024):
        self.folder = Path(folder) if folder is not None else None
        self.block = block
        self.rows = 0
        self._pending: list[dict] = []
        self._frames: list[pd.DataFrame] = []
        self._columns: list[str] | None = None
        self._csv: TextIO | None = None
        self._zip: zipfile.ZipFile | None = None

    @property
    def used(self) -> bool:
        return self.rows > 0

    def add(self, row: dict, rounds: dict | None = None) -> None:
        self._pending.append(row)
        self.rows += 1
        if rounds is not None and self.folder is not None:
            if self._zip is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._zip = zipfile.ZipFile(self.folder / "rounds.npz", "w", compression=zipfile.ZIP_DEFLATED)
            _add_rounds(self._zip, row["match_id"], rounds)
        if len(self._pending) >= self.block:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        frame = tidy_matches(pd.DataFrame(self._pending))
        self._pending = []
        if self._columns is not None and list(frame.columns) != self._columns:
            # a column appeared (rare): rewrite the file with the union of the columns
            whole = pd.concat(self._frames + [frame], ignore_index=True)
            self._frames, self._columns = [whole], list(whole.columns)
            if self._csv is not None:
                self._csv.close()
                self._csv = None
            self._write_csv(whole)
            return
        self._columns = list(frame.columns)
        self._frames.append(frame)
        self._write_csv(frame)

    def _write_csv(self, frame: pd.DataFrame) -> None:
        if self.folder is None:
            return
        fh = self._csv
        header = fh is None
        if fh is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            fh = self._csv = open(self.folder / "matches.csv", "w", encoding="utf-8", newline="")
        frame.to_csv(fh, index=False, header=header, lineterminator="\n")
        fh.flush()

    def close(self) -> pd.DataFrame:
        """Finish the files and return every row as one DataFrame."""
        self._flush()
        for fh in (self._csv, self._zip):  # errors (a full disk) propagate: the run stops
            if fh is not None:
                fh.close()
        self._csv = self._zip = None
        if not self._frames:
            return pd.DataFrame()
        return self._frames[0] if len(self._frames) == 1 else pd.concat(self._frames, ignore_index=True)

    def abort(self) -> None:
        """Close the files (an interrupted run: the staging folder is discarded, so a file
        left mid-entry by Ctrl-C is simply dropped)."""
        for fh in (self._csv, self._zip):
            if fh is None:
                continue
            try:
                fh.close()
            except Exception:  # noqa: BLE001 - e.g. a zip entry still open: drop the file
                if isinstance(fh, zipfile.ZipFile) and fh.fp is not None:
                    fh.fp.close()
                    # ZipFile.__del__ would try close() again at exit and print its traceback
                    fh.fp = None
        self._csv = self._zip = None


def read_rounds(path: Path) -> dict[int, dict[str, np.ndarray]]:
    """Inverse of :func:`write_rounds` (everything in memory; see :class:`RoundsFile`)."""
    return {mid: dict(data) for mid, data in RoundsFile(path).items()}


class RoundsFile(Mapping):
    """``rounds.npz`` as a read-only mapping match id -> {key: array} that reads a match's
    arrays only when they are asked for, so a report can go through every kept match without
    holding them all (no pickles: ``allow_pickle=False``)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._members: dict[int, dict[str, zipfile.ZipInfo]] = {}
        self._zip = zipfile.ZipFile(self.path) if self.path.is_file() else None
        for info in self._zip.infolist() if self._zip is not None else ():
            mid, _, key = info.filename.partition("/")
            if mid[:1] == "m" and mid[1:].isdigit() and key.endswith(".npy"):
                self._members.setdefault(int(mid[1:]), {})[key[:-4]] = info

    def __getitem__(self, match_id: int) -> dict[str, np.ndarray]:
        out = {}
        members = self._members[match_id]
        if self._zip is None:
            raise ValueError(f"{self.path}: the rounds file is closed")
        for key, info in members.items():
            with self._zip.open(info) as fh:
                out[key] = np.lib.format.read_array(fh, allow_pickle=False)
        return out

    def __iter__(self):
        return iter(sorted(self._members))

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, match_id) -> bool:
        return match_id in self._members

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __del__(self) -> None:
        self.close()


def software_versions() -> dict:
    import importlib.metadata as md

    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in ("ibtournament", "mesa", "numpy", "scipy", "pandas", "networkx", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = None
    return out
