"""Checkpoints: finished work survives Ctrl-C, SIGKILL or a lost worker — and reading one
never runs code.

While a run writes to ``DIR``, every finished task's result (a match record with its
``matches.csv`` row and per-round data, or a population run) is appended to
``DIR/.checkpoint/results.bin`` as soon as it arrives, flushed at once (so a killed process
loses nothing the OS has seen) and fsynced at least every half second (so a machine crash
loses at most that). ``fingerprint.json`` identifies the scenario. ``tournament run …
--resume`` checks the records, skips those tasks, and finishes with exactly the results of
an uninterrupted run: every task is seeded by its own id, so it does not matter which tasks
ran before the interruption. On success the checkpoint is removed.

**Format** (data, not code)::

    b"IBTOURNAMENT-CHECKPOINT 2\\n"
    record*:  u64 payload length | 32-byte SHA-256 of the payload | payload
    payload:  u32 JSON length | JSON {"scope", "task", "fields", "value"} | raw array bytes

The JSON holds only plain values and tagged containers (``$nd`` a numeric/text array whose
bytes follow the JSON, ``$t`` a tuple, ``$df`` a table, ``$match`` a match record …); the
decoder builds nothing else. **Reading** follows no symbolic link (``.checkpoint``,
``results.bin`` and ``fingerprint.json`` are opened with ``O_NOFOLLOW`` and must be a real
folder and regular files), drops a torn or corrupted tail (its tasks run again), and checks
every record field by field against the scenario (:mod:`.records`): entrant names that exist,
match ids, seats and repetitions that belong to the run, payoffs inside the game's range and
equal to the game's payoffs of the recorded actions. A record that decodes but does not fit
is an error: the run refuses to resume and runs nothing.

What this does not protect against: someone able to write the folder can forge a
well-formed record with a plausible payoff (a checksum is not a signature, and there is no
secret to sign with); such a record is indistinguishable from a real one. Resume only
folders you trust to hold what your own runs wrote; a received folder is safe to *read*.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import stat
import struct
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScenarioError, TournamentError
from ..output.folder import remove_entry
from .tasks import MatchRecord

FOLDER = ".checkpoint"
RESULTS = "results.bin"
FINGERPRINT = "fingerprint.json"
MAGIC = b"IBTOURNAMENT-CHECKPOINT 2\n"
_HEADER = struct.Struct("<Q32s")
_META = struct.Struct("<I")
_MISSING = object()
FSYNC_INTERVAL = 0.5
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class CheckpointError(TournamentError):
    """A checkpoint that cannot be used: unsafe (a link, not a file), unreadable, or holding
    a record that does not belong to this run."""


Validator = Callable[[str, str, dict, Any], None]


# ---------------------------------------------------------------------------- fingerprint
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


# ---------------------------------------------------------------------------- codec
_DTYPE = re.compile(r"^(\|b1|[<|][iu][1248]|<f[248]|<U\d{1,5})$")
_EXTENSION_DTYPES = {
    "str",
    "string",
    "boolean",
    "Float32",
    "Float64",
    *(f"{u}Int{b}" for u in ("", "U") for b in (8, 16, 32, 64)),
}


class _Encoder:
    def __init__(self) -> None:
        self.blobs: list[memoryview] = []

    def array(self, arr: np.ndarray) -> Any:
        if arr.dtype.kind in "biufU":
            a = np.ascontiguousarray(arr)
            if a.dtype.byteorder == ">":
                a = a.astype(a.dtype.newbyteorder("<"))
            self.blobs.append(a.reshape(-1).view(np.uint8).data if a.size else memoryview(b""))
            return {"$nd": [a.dtype.str, list(a.shape), len(self.blobs) - 1]}
        if arr.dtype == object:
            return {"$ndo": [list(arr.shape), [self.value(x) for x in arr.reshape(-1).tolist()]]}
        raise CheckpointError(f"cannot store an array of dtype {arr.dtype} in a checkpoint")

    def value(self, obj: Any) -> Any:
        t = type(obj)
        if obj is None or t is bool or t is str or t is int:
            return obj
        if t is float:
            return obj if math.isfinite(obj) else {"$f": repr(obj)}
        if t is list:
            return [self.value(v) for v in obj]
        if t is tuple:
            return {"$t": [self.value(v) for v in obj]}
        if t is dict:
            if all(type(k) is str and not k.startswith("$") for k in obj):
                return {k: self.value(v) for k, v in obj.items()}
            return {"$d": [[self.value(k), self.value(v)] for k, v in obj.items()]}
        if isinstance(obj, np.ndarray):
            return self.array(obj)
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            v = obj.item()
            return {"$np": [obj.dtype.str, v if not isinstance(v, float) or math.isfinite(v) else repr(v)]}
        if t is MatchRecord:
            return {"$match": [self.value(obj.row), self.value(obj.rounds)]}
        if t is pd.DataFrame:
            idx = obj.index
            index = (
                {"range": [idx.start, idx.stop, idx.step]}
                if isinstance(idx, pd.RangeIndex)
                else self.array(np.asarray(idx))
            )
            cols = []
            for j in range(obj.shape[1]):
                col = obj.iloc[:, j]
                if isinstance(col.dtype, np.dtype):
                    cols.append(self.array(col.to_numpy()))
                elif str(col.dtype) in _EXTENSION_DTYPES:  # pandas' str, Int64, boolean … columns
                    values = [None if v is pd.NA else v for v in col.tolist()]
                    cols.append({"$ext": [str(col.dtype), [self.value(v) for v in values]]})
                else:
                    raise CheckpointError(f"cannot store a column of dtype {col.dtype} in a checkpoint")
            return {"$df": {"columns": [self.value(c) for c in obj.columns], "index": index, "data": cols}}
        raise CheckpointError(f"cannot store a {t.__name__} in a checkpoint")


class _Decoder:
    def __init__(self, blobs: list[memoryview]) -> None:
        self.blobs = blobs

    def fail(self, what: str):
        raise ValueError(what)

    def array(self, spec: Any) -> np.ndarray:
        if isinstance(spec, dict) and set(spec) == {"$ndo"}:
            shape, items = spec["$ndo"]
            shape = self.shape(shape)
            if not isinstance(items, list) or len(items) != math.prod(shape):
                self.fail("object array of the wrong size")
            arr = np.empty(len(items), dtype=object)
            for i, item in enumerate(items):
                v = self.value(item)
                if not (v is None or type(v) in (str, int, float, bool)):
                    self.fail("object array holding a container")
                arr[i] = v
            return arr.reshape(shape)
        if not (
            isinstance(spec, dict) and set(spec) == {"$nd"} and isinstance(spec["$nd"], list) and len(spec["$nd"]) == 3
        ):
            self.fail("not an array")
        dtype, shape, ref = spec["$nd"]
        if not isinstance(dtype, str) or not _DTYPE.match(dtype):
            self.fail(f"array dtype {dtype!r} not allowed")
        shape = self.shape(shape)
        if type(ref) is not int or not 0 <= ref < len(self.blobs):
            self.fail("array data missing")
        dt = np.dtype(dtype)
        blob = self.blobs[ref]
        if len(blob) != math.prod(shape) * dt.itemsize:
            self.fail("array data of the wrong length")
        return np.frombuffer(blob, dtype=dt).reshape(shape).copy()

    def column(self, spec: Any):
        if isinstance(spec, dict) and set(spec) == {"$ext"}:
            body = spec["$ext"]
            if not (
                isinstance(body, list) and len(body) == 2 and body[0] in _EXTENSION_DTYPES and isinstance(body[1], list)
            ):
                self.fail("bad table column")
            values = [self.value(v) for v in body[1]]
            if not all(v is None or type(v) in (str, int, float, bool) for v in values):
                self.fail("bad table column")
            try:
                return pd.array(values, dtype=body[0])
            except (TypeError, ValueError):
                self.fail("bad table column")
        return self.array(spec)

    def shape(self, shape: Any) -> tuple[int, ...]:
        if not isinstance(shape, list) or len(shape) > 8 or not all(type(n) is int and n >= 0 for n in shape):
            self.fail("bad array shape")
        return tuple(shape)

    def value(self, obj: Any) -> Any:
        t = type(obj)
        if obj is None or t in (bool, str, int, float):
            return obj
        if t is list:
            return [self.value(v) for v in obj]
        if t is not dict:
            self.fail(f"unexpected {t.__name__}")
        if len(obj) == 1:
            ((tag, body),) = obj.items()
            if tag == "$f":
                if body not in ("nan", "inf", "-inf"):
                    self.fail("bad float")
                return float(body)
            if tag == "$t":
                if not isinstance(body, list):
                    self.fail("bad tuple")
                return tuple(self.value(v) for v in body)
            if tag == "$d":
                if not isinstance(body, list) or not all(isinstance(p, list) and len(p) == 2 for p in body):
                    self.fail("bad mapping")
                out = {}
                for k, v in body:
                    k = self.value(k)
                    if not (k is None or type(k) in (str, int, float, bool, tuple)):
                        self.fail("bad mapping key")
                    out[k] = self.value(v)
                return out
            if tag in ("$nd", "$ndo"):
                return self.array(obj)
            if tag == "$np":
                if not (
                    isinstance(body, list)
                    and len(body) == 2
                    and isinstance(body[0], str)
                    and _DTYPE.match(body[0])
                    and not body[0].startswith("<U")
                ):
                    self.fail("bad scalar")
                v = body[1]
                if isinstance(v, str) and v in ("nan", "inf", "-inf"):
                    v = float(v)
                if type(v) not in (int, float, bool):
                    self.fail("bad scalar")
                try:
                    return np.dtype(body[0]).type(v)
                except (OverflowError, ValueError, TypeError):
                    self.fail("scalar out of range")
            if tag == "$match":
                if not (isinstance(body, list) and len(body) == 2):
                    self.fail("bad match record")
                row, rounds = self.value(body[0]), self.value(body[1])
                if not isinstance(row, dict) or not (rounds is None or isinstance(rounds, dict)):
                    self.fail("bad match record")
                return MatchRecord(row, rounds)
            if tag == "$df":
                return self.frame(body)
        if any(isinstance(k, str) and k.startswith("$") for k in obj):
            self.fail("unknown tag")
        return {k: self.value(v) for k, v in obj.items()}

    def frame(self, body: Any) -> pd.DataFrame:
        if not (
            isinstance(body, dict)
            and set(body) == {"columns", "index", "data"}
            and isinstance(body["columns"], list)
            and isinstance(body["data"], list)
            and len(body["columns"]) == len(body["data"])
        ):
            self.fail("bad table")
        columns = [self.value(c) for c in body["columns"]]
        if not all(type(c) in (str, int) for c in columns):
            self.fail("bad table column name")
        idx = body["index"]
        if isinstance(idx, dict) and set(idx) == {"range"}:
            r = idx["range"]
            if not (isinstance(r, list) and len(r) == 3 and all(type(x) is int for x in r) and r[2] != 0):
                self.fail("bad table index")
            index = pd.RangeIndex(*r)
        else:
            index = pd.Index(self.array(idx))
        data = [self.column(c) for c in body["data"]]
        if any(len(a) != len(index) or (isinstance(a, np.ndarray) and a.ndim != 1) for a in data):
            self.fail("table columns of the wrong length")
        frame = pd.DataFrame(dict(enumerate(data)), index=index)
        frame.columns = columns
        return frame


def encode_record(meta: dict) -> list[bytes | memoryview]:
    """The parts of one record (header, JSON, array bytes) ready for ``os.writev``."""
    enc = _Encoder()
    doc = dict(meta, value=enc.value(meta["value"]))
    text = json.dumps(doc, allow_nan=False, separators=(",", ":")).encode("utf-8")
    parts: list[bytes | memoryview] = [_META.pack(len(text)), text]
    for blob in enc.blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    digest = hashlib.sha256()
    size = 0
    for p in parts:
        digest.update(p)
        size += len(p)
    return [_HEADER.pack(size, digest.digest()), *parts]


def decode_payload(payload: memoryview) -> dict:
    """The record of a payload (checksum already verified); ``ValueError`` if it is not a
    well-formed record."""
    if len(payload) < _META.size:
        raise ValueError("record too short")
    (n,) = _META.unpack_from(payload, 0)
    end = _META.size + n
    if end > len(payload):
        raise ValueError("record too short")
    blobs = []
    pos = end
    while pos < len(payload):
        if pos + 8 > len(payload):
            raise ValueError("array header cut")
        (size,) = struct.unpack_from("<Q", payload, pos)
        pos += 8
        if pos + size > len(payload):
            raise ValueError("array data cut")
        blobs.append(payload[pos : pos + size])
        pos += size
    try:
        doc = json.loads(bytes(payload[_META.size : end]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not (
        isinstance(doc, dict)
        and set(doc) == {"scope", "task", "fields", "value"}
        and isinstance(doc["scope"], str)
        and isinstance(doc["task"], str)
        and isinstance(doc["fields"], dict)
    ):
        raise ValueError("not a task record")
    try:
        doc["value"] = _Decoder(blobs).value(doc["value"])
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return doc


def task_fields(task: Any) -> dict:
    """The identity of a task as plain JSON fields (its dataclass fields)."""
    if dataclasses.is_dataclass(task) and not isinstance(task, type):
        return json.loads(json.dumps(dataclasses.asdict(task)))
    return {"repr": repr(task)}


def record_key(scope: str, task: str, fields: dict) -> str:
    return json.dumps([scope, task, fields], sort_keys=True, separators=(",", ":"))


# ---------------------------------------------------------------------------- the folder on disk
def _open_dir(root: Path) -> int | None:
    """A descriptor of ``root/.checkpoint`` (None if missing); a link or a file is refused."""
    rfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        return os.open(FOLDER, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW, dir_fd=rfd)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: a symbolic link; ENOTDIR: a file
        raise CheckpointError(
            f"{Path(root) / FOLDER} is not a checkpoint folder (a symbolic link or a file: "
            f"{exc.strerror}); remove it, or run with --restart to discard it"
        ) from None
    finally:
        os.close(rfd)


def _open_results(dir_fd: int, path: Path, writable: bool) -> int | None:
    flags = (os.O_RDWR if writable else os.O_RDONLY) | _NOFOLLOW
    try:
        fd = os.open(RESULTS, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(
            f"{path} is not a checkpoint file ({exc.strerror}: a symbolic link or a "
            "folder); remove it, or run with --restart to discard it"
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise CheckpointError(
            f"{path} is not a checkpoint file (a folder or a device, not a regular file); "
            "remove it, or run with --restart to discard it"
        )
    return fd


def _count(fd: int) -> tuple[int, int, bool]:
    """(complete records, bytes they span, whether the file starts with the format's magic)."""
    size = os.fstat(fd).st_size
    if os.pread(fd, len(MAGIC), 0) != MAGIC:
        return 0, 0, False
    pos = len(MAGIC)
    count = 0
    while pos + _HEADER.size <= size:
        length, _ = _HEADER.unpack(os.pread(fd, _HEADER.size, pos))
        end = pos + _HEADER.size + length
        if end > size:
            break
        count += 1
        pos = end
    return count, pos, True


def pending_checkpoint(out: Path) -> int | None:
    """Number of complete records in an interrupted run's checkpoint in ``out`` (None if
    there is none). Raises :class:`CheckpointError` if what is there is not a checkpoint."""
    out = Path(out)
    if not out.is_dir():
        return None
    dfd = _open_dir(out)
    if dfd is None:
        return None
    try:
        fd = _open_results(dfd, out / FOLDER / RESULTS, writable=False)
    finally:
        os.close(dfd)
    if fd is None:
        return None
    try:
        count, _, ok = _count(fd)
        if not ok and os.fstat(fd).st_size:
            raise CheckpointError(
                f"{out / FOLDER / RESULTS} is not a checkpoint this version can read "
                "(no format header); run with --restart to discard it"
            )
        return count
    finally:
        os.close(fd)


class Checkpoint:
    """Append-only store of finished task results under ``out/.checkpoint`` (see the module
    docstring). ``validate(scope, task, fields, value)`` checks a stored record against the
    run and raises :class:`CheckpointError` if it does not belong to it."""

    def __init__(
        self,
        out: Path,
        fingerprint: str,
        files: dict | None = None,
        *,
        resume: bool = False,
        validate: Validator | None = None,
    ):
        self.root = Path(out)
        self.folder = self.root / FOLDER
        self.path = self.folder / RESULTS
        self.fingerprint = fingerprint
        self.validate = validate
        self.index: dict[str, tuple[int, int, bytes]] = {}  # key -> (offset, length, SHA-256) of its record
        self.warnings: list[str] = []
        self.loaded = 0
        self._fd: int | None = None
        if resume:
            dfd = _open_dir(self.root)
            if dfd is not None:
                try:
                    self._fd = _open_results(dfd, self.path, writable=True)
                    if self._fd is not None:
                        self._load(dfd, files or {})
                except BaseException:
                    self.close()
                    raise
                finally:
                    os.close(dfd)
        if self._fd is None:
            self._create(files or {})
        self._size = os.fstat(self._handle).st_size
        self._last_sync = time.monotonic()

    def _create(self, files: dict) -> None:
        """A new, empty checkpoint (whatever was at ``.checkpoint`` — a folder, a file, a
        link — is removed, never followed)."""
        remove_entry(self.folder)
        self.folder.mkdir()
        dfd = _open_dir(self.root)
        if dfd is None:  # removed since mkdir: never fall back to paths relative to the working folder
            raise CheckpointError(f"{self.folder} disappeared while the checkpoint was being created")
        try:
            meta = {"fingerprint": self.fingerprint, "strategy_files": files}
            fd = os.open(FINGERPRINT, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=dfd)
            with os.fdopen(fd, "w") as fh:
                fh.write(json.dumps(meta, indent=2))
            self._fd = fd = os.open(RESULTS, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=dfd)
            os.write(fd, MAGIC)
        finally:
            os.close(dfd)

    # ----------------------------------------------------------------- reading
    def _load(self, dfd: int, files: dict) -> None:
        try:
            fd = os.open(FINGERPRINT, os.O_RDONLY | _NOFOLLOW, dir_fd=dfd)
            with os.fdopen(fd, "rb") as fh:
                meta = json.loads(fh.read(1 << 20).decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            meta = None
        if not (
            isinstance(meta, dict)
            and isinstance(meta.get("fingerprint"), str)
            and isinstance(meta.get("strategy_files", {}), dict)
        ):
            raise ScenarioError(
                f"{self.folder}: the checkpoint has no readable fingerprint.json; "
                "run again with --restart to discard it (or choose another --out folder)"
            )
        if meta["fingerprint"] != self.fingerprint:
            raise ScenarioError(
                f"{self.root}: the interrupted run used a different scenario (game, entrants, "
                "settings or seed changed), so its results cannot be continued; run with --restart to "
                "discard them, or use another --out folder"
            )
        for path, digest in (meta.get("strategy_files") or {}).items():
            if files.get(path) != digest:
                self.warnings.append(
                    f"strategy file {path} changed since the interrupted run; "
                    "the matches already finished were played with the old code"
                )
        fd = self._handle
        size = os.fstat(fd).st_size
        if size and os.pread(fd, len(MAGIC), 0) != MAGIC:
            raise CheckpointError(
                f"{self.path} is not a checkpoint this version can read (no format "
                "header); nothing was run. Run with --restart to discard it"
            )
        pos = len(MAGIC) if size else 0
        number = 0
        while pos + _HEADER.size <= size:
            length, digest = _HEADER.unpack(os.pread(fd, _HEADER.size, pos))
            if pos + _HEADER.size + length > size:
                break  # the process died mid-write: drop the partial record
            payload = self._read(pos + _HEADER.size, length)
            if hashlib.sha256(payload).digest() != digest:
                self.warnings.append(
                    f"{self.path}: record {number + 1} is corrupted (checksum mismatch); "
                    "it and the records after it are dropped and their tasks run again"
                )
                break
            doc = self._decode(payload, number)
            self.index[record_key(doc["scope"], doc["task"], doc["fields"])] = (pos + _HEADER.size, length, digest)
            pos += _HEADER.size + length
            number += 1
        if pos < size:
            os.ftruncate(fd, max(pos, len(MAGIC)))
        if not size:
            os.write(fd, MAGIC)
        self.loaded = len(self.index)

    def _read(self, offset: int, length: int) -> memoryview:
        buf = bytearray(length)
        view = memoryview(buf)
        got = 0
        while got < length:
            n = os.preadv(self._handle, [view[got:]], offset + got)
            if n <= 0:
                raise CheckpointError(f"{self.path}: the file shrank while it was read")
            got += n
        return view

    def _decode(self, payload: memoryview, number: int) -> dict:
        try:
            doc = decode_payload(payload)
        except ValueError as exc:
            raise CheckpointError(
                f"{self.path}: record {number + 1} is not a valid record ({exc}); it was "
                "edited or written by something else. Nothing was run; run with --restart "
                "to discard the checkpoint"
            ) from None
        if self.validate is not None:
            try:
                self.validate(doc["scope"], doc["task"], doc["fields"], doc["value"])
            except CheckpointError as exc:
                raise CheckpointError(
                    f"{self.path}: record {number + 1} does not belong to this run: {exc}. "
                    "It was edited or written by something else; nothing was run. Run with "
                    "--restart to discard the checkpoint"
                ) from None
        return doc

    def key(self, scope: str, task: str, fields: dict) -> str:
        return record_key(scope, task, fields)

    def has(self, key: str) -> bool:
        return key in self.index

    def get(self, key: str) -> Any:
        """The stored result of ``key``, read again from the file and compared with the
        checksum of the record that was checked when the checkpoint was opened."""
        where = self.index.get(key)
        if where is None:
            return _MISSING
        offset, length, digest = where
        payload = self._read(offset, length)
        if hashlib.sha256(payload).digest() != digest:
            raise CheckpointError(f"{self.path} changed while the run was using it; run again with --resume")
        try:
            return decode_payload(payload)["value"]
        except ValueError as exc:  # pragma: no cover - the record decoded when it was checked
            raise CheckpointError(f"{self.path}: a record no longer decodes ({exc})") from None

    # ----------------------------------------------------------------- writing
    def put(self, scope: str, task: str, fields: dict, result: Any) -> None:
        key = record_key(scope, task, fields)
        if key in self.index:
            return
        parts = encode_record({"scope": scope, "task": task, "fields": fields, "value": result})
        total = sum(len(p) for p in parts)
        start = self._size
        try:
            written = 0
            while written < total:
                n = os.pwritev(self._handle, _skip(parts, written), start + written)
                if n <= 0:
                    raise OSError(28, "No space left on device", str(self.path))
                written += n
        except OSError as exc:
            try:  # leave no partial record behind
                os.ftruncate(self._handle, start)
            except OSError:
                pass
            if exc.filename is None:
                exc.filename = str(self.path)
            raise
        self._size = start + total
        self.index[key] = (start + _HEADER.size, total - _HEADER.size, _HEADER.unpack(bytes(parts[0]))[1])
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_INTERVAL:
            os.fsync(self._handle)
            self._last_sync = now

    @property
    def _handle(self) -> int:
        """The open results file (set by __init__; None only after close)."""
        fd = self._fd
        if fd is None:
            raise CheckpointError(f"{self.path}: the checkpoint is closed")
        return fd

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None

    def discard(self) -> None:
        """Remove the checkpoint after the results folder was written completely."""
        self.close()
        try:
            remove_entry(self.folder)
        except OSError:
            pass

    def __len__(self) -> int:
        return len(self.index)


def _skip(parts: list, offset: int) -> list:
    """The parts after the first ``offset`` bytes (to continue a short write)."""
    out = []
    for p in parts:
        if offset >= len(p):
            offset -= len(p)
            continue
        out.append(memoryview(p)[offset:] if offset else p)
        offset = 0
    return out


def warn_all(ck: Checkpoint) -> None:
    for w in ck.warnings:
        warnings.warn(w, stacklevel=3)
