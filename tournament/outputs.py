"""Writing a results folder (SPEC §8).

``DIR/summary.json``  scenario, game, kind, settings, entrants, standings, analysis rates
``DIR/matches.csv``   one row per match (see ``MATCH_COLUMNS_DOC``)
``DIR/rounds.npz``    per-round actions, payoffs and strategy traces of the kept matches
``DIR/report.md``     the human report (plus ``report.html`` and PNGs when plots are on)
``DIR/run_info.json`` timing, workers, backend, software versions (kept out of summary.json
                      so that the same scenario and seed give byte-identical summary and
                      matches files) and the list of files the run wrote: the next run into
                      the same folder removes those first, so no stale file survives

With several ``[[populations]]`` each gets a subfolder with the same files, and the top
``summary.json`` holds them side by side.

Files are written to a temporary name and renamed, so an interrupted write never leaves a
half-written file, and nothing is written before the scenario validated.
"""

from __future__ import annotations

import json
import os
import platform
import re
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

MATCH_COLUMNS_DOC = """\
match_id            position of the match in the schedule (also keys its random seed)
repetition          repetition index (0-based)
entrant_i           display name of the entrant in seat i
payoff_i            seat i's mean payoff per round
turns               number of rounds played
settled             whether the joint play ended in a stable cycle (SPEC §6.1)
cycle_period        period of that cycle; cycle_onset: first round of it
cycle_payoff_i      seat i's mean payoff over one period of the cycle
pareto_optimal      whether the cycle's mean payoff vector is Pareto-optimal (§6.2)
pareto_gap          LP distance of that vector to the Pareto frontier (0 when optimal)
coalition           coalition structure of a settled k >= 3 match, e.g. {0,1}|{2} (§6.3)
"""


def slug(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")
    return s or "population"


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
    """Files below ``folder`` (relative POSIX paths), the checkpoint and temporaries excluded."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and ".checkpoint" not in p.relative_to(folder).parts and not p.name.endswith(".tmp")}


def remove_previous_outputs(folder: Path) -> None:
    """Delete the files a previous run listed in its ``run_info.json`` (and folders they leave empty)."""
    folder = Path(folder)
    try:
        files = json.loads((folder / "run_info.json").read_text()).get("files") or []
    except (OSError, ValueError, AttributeError):
        return  # no earlier run here, or one from before files were listed
    root = folder.resolve()
    for name in files:
        path = (folder / name).resolve()
        if root not in path.parents:  # never outside the results folder
            continue
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(jsonable(data), indent=2, allow_nan=True) + "\n")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def write_parquet(path: Path, frame: pd.DataFrame) -> bool:
    """``matches.parquet`` next to the CSV when pyarrow is installed (same columns and
    types; returns whether it was written)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return True


def write_rounds(path: Path, rounds: dict[int, dict]) -> None:
    """Per-round arrays of the kept matches as ``m{match_id}/{key}`` entries of an npz
    (readable with ``numpy.load``). Written with fixed zip timestamps so that the same
    results give a byte-identical file."""
    import zipfile

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for match_id, data in sorted(rounds.items()):
                for key, arr in data.items():
                    arr = np.asarray(arr)
                    if arr.dtype == object:
                        arr = arr.astype(str)
                    info = zipfile.ZipInfo(f"m{match_id}/{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with zf.open(info, "w", force_zip64=True) as fh:
                        np.lib.format.write_array(fh, arr, allow_pickle=False)

    atomic_write(path, write)


def read_rounds(path: Path) -> dict[int, dict[str, np.ndarray]]:
    """Inverse of :func:`write_rounds`."""
    out: dict[int, dict[str, np.ndarray]] = {}
    if not Path(path).exists():
        return out
    with np.load(path, allow_pickle=False) as data:
        for key in data.files:
            mid, _, name = key.partition("/")
            out.setdefault(int(mid[1:]), {})[name] = data[key]
    return out


def jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if np.isfinite(v) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, pd.DataFrame):
        return jsonable(obj.to_dict(orient="records"))
    if isinstance(obj, type):
        return f"{obj.__module__}:{obj.__qualname__}"
    return obj


def software_versions() -> dict:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("ibtournament", "mesa", "numpy", "scipy", "pandas", "networkx", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = None
    return out
