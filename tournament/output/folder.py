"""The results folder of a run: one absolute path, an exclusive lock, a staging area, and
the swap that replaces the previous results only once the new ones are complete.

- **One path.** ``--out`` is resolved to an absolute path once, when the run starts, and
  every file is written below it: a strategy that changes the working directory cannot move
  the results, and no name from a scenario or from the folder (a population, a file listed
  by the previous run) can point outside it or through a symbolic link.
- **Lock.** ``DIR/.lock`` is held with ``fcntl.flock`` for the whole run (``--restart``
  included); a second run into the same folder stops at once with "in use by process N".
- **Write aside, then swap.** The new files are written to ``DIR/.staging`` (on the same
  file system, so moving them is a rename). Only when all are complete are they moved into
  place, then the previous run's files that this run did not write again are removed, and
  ``run_info.json`` comes last. A run that fails — a strategy error, Ctrl-C, a full disk —
  leaves the previous results as they were.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path

from ..errors import TournamentError
from ..scenario.validation import slug
from .outputs import inside, listing

LOCK = ".lock"
STAGING = ".staging"
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class FolderInUse(TournamentError):
    """Another run holds the results folder's lock."""


def os_error_message(exc: OSError) -> str:
    """An OS error as a short phrase: 'No space left on device (writing out/x.csv)'."""
    what = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        what = "no space left on device"
    elif exc.errno == errno.EDQUOT:
        what = "disk quota exceeded"
    where = exc.filename
    return f"{what} ({where})" if where else what


def remove_entry(path: Path) -> None:
    """Remove a file, a symbolic link (not its target) or a folder tree (without following
    the links inside it)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def read_json_nofollow(path: Path, limit: int = 1 << 26):
    """A small JSON file, read without following a symbolic link; None if it is missing,
    not a regular file, too large or not JSON."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        try:
            return json.loads(fh.read().decode("utf-8"))
        except (ValueError, RecursionError):
            return None


class ResultsFolder:
    """The results folder ``out`` of one run (see the module docstring). Use as a context
    manager: entering takes the lock, leaving releases it."""

    def __init__(self, out: str | Path):
        given = Path(out).expanduser()
        self.given = given
        self.root = given.resolve()  # absolute, once: later chdir()s do not move the results
        self._lock_fd: int | None = None

    def __repr__(self) -> str:
        return f"ResultsFolder({str(self.root)!r})"

    @property
    def staging(self) -> Path:
        return self.root / STAGING

    # ------------------------------------------------------------------ preparing
    def prepare(self, subfolders: Sequence[str] = ()) -> None:
        """Check the folder can hold results before anything runs: it is a folder (or can be
        made one), and the population subfolders already there are real folders."""
        if self.root.exists() and not self.root.is_dir():
            raise TournamentError(f"--out {self.given}: this is a file, not a folder; choose a folder for the results")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TournamentError(
                f"--out {self.given}: cannot create the results folder: {os_error_message(exc)}"
            ) from None
        for name in subfolders:
            self._real_folder(self.root / slug(name), create=False)

    def _real_folder(self, path: Path, create: bool) -> None:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if create:
                path.mkdir()
            return
        if stat.S_ISLNK(st.st_mode):
            raise TournamentError(
                f"{path} is a symbolic link; results are only written inside {self.root}, "
                "never through a link: remove it or choose another --out folder"
            )
        if not stat.S_ISDIR(st.st_mode):
            raise TournamentError(
                f"{path} is a file where the results need a folder; remove it or choose another --out folder"
            )

    # ------------------------------------------------------------------ the lock
    def __enter__(self) -> ResultsFolder:
        self.lock()
        return self

    def __exit__(self, *exc) -> None:
        self.unlock()

    def lock(self) -> None:
        """Take the folder's exclusive lock, or say which process holds it."""
        path = self.root / LOCK
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
            except OSError as exc:
                raise TournamentError(
                    f"{path}: cannot create the lock file of the results folder: {os_error_message(exc)}"
                ) from None
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                os.close(fd)
                raise TournamentError(f"{path} is not a lock file; remove it")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                who = f"process {holder}" if holder.isdigit() else "another process"
                raise FolderInUse(
                    f"{self.root} is in use by {who} (another run is writing its results "
                    "there); wait for it to finish or choose another --out folder"
                ) from None
            try:  # the file we locked must still be the one at the path (not removed by its last holder)
                now = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            if now is None or (now.st_ino, now.st_dev) != (st.st_ino, st.st_dev):
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self._lock_fd = fd
            return

    def unlock(self) -> None:
        if self._lock_fd is None:
            return
        try:
            os.unlink(self.root / LOCK)  # removed while still held, so nobody locks a stale file
        except OSError:
            pass
        os.close(self._lock_fd)
        self._lock_fd = None

    # ------------------------------------------------------------------ staging and swap
    def fresh_staging(self) -> Path:
        """An empty staging folder (what an interrupted run left there is discarded)."""
        remove_entry(self.staging)
        self.staging.mkdir()
        return self.staging

    def discard_staging(self) -> None:
        try:
            remove_entry(self.staging)
        except OSError:
            pass

    def previous_files(self) -> list[str]:
        """The files the previous run listed in its ``run_info.json`` (only plain relative
        paths inside the folder are taken)."""
        info = read_json_nofollow(self.root / "run_info.json")
        files = info.get("files") if isinstance(info, dict) else None
        out = []
        for name in files if isinstance(files, list) else []:
            try:
                if isinstance(name, str):
                    inside(self.root, name)
                    out.append(name)
            except TournamentError:
                continue
        return out

    def _destination(self, relative: str) -> Path:
        """Where a staged file goes; its parent folders are created, and refused if one is a
        symbolic link or a file."""
        path = inside(self.root, relative)
        parent = self.root
        for part in path.relative_to(self.root).parts[:-1]:
            parent = parent / part
            self._real_folder(parent, create=True)
        if path.is_dir() and not path.is_symlink():
            raise TournamentError(f"{path} is a folder where the results need a file; remove it")
        return path

    def commit(self) -> list[str]:
        """Move every staged file into place, remove the previous run's files that were not
        written again (and the folders they leave empty), ``run_info.json`` last. Returns the
        files now in place."""
        new = sorted(listing(self.staging))
        old = self.previous_files()
        last = [f for f in new if f == "run_info.json"]
        for rel in [f for f in new if f != "run_info.json"]:
            os.replace(self.staging / rel, self._destination(rel))
        for rel in sorted(set(old) - set(new)):
            self._remove_stale(rel)
        for rel in last:
            os.replace(self.staging / rel, self._destination(rel))
        self.discard_staging()
        return new

    def _remove_stale(self, relative: str) -> None:
        path = inside(self.root, relative)
        parent = self.root
        for part in path.relative_to(self.root).parts[:-1]:
            parent = parent / part
            if not parent.is_dir() or parent.is_symlink():
                return  # never through a link
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            return
        os.unlink(path)
        folder = path.parent
        while folder != self.root and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
