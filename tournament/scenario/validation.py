"""Validation helpers for scenario tables: typed key access with file and key-path errors.

A :class:`Table` wraps one TOML table. Consumers take keys one by one with typed getters;
:meth:`Table.finish` then rejects every key nobody took (with close-match suggestions).
All scenario validation goes through here so every message has the same shape:
``FILE: key 'tournament.turns': expected a positive integer, got -3``.

Names that become folder names (populations, sweep points, compared files) are checked here
too: :func:`slug` makes a name into its folder's name, :func:`folder_name_problem` says why a
name cannot be one and :func:`folder_clash` finds two names that would share a folder.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from ..errors import ScenarioError, close_matches

MISSING = object()

_TYPE_NAMES = {
    int: "an integer",
    float: "a number",
    bool: "true or false",
    str: "a string",
    list: "an array",
    dict: "a table",
}


def _type_ok(value: Any, typ) -> bool:
    if typ is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, typ)


class Table:
    """A TOML table with its source file and key path."""

    def __init__(self, data: Any, path: str = "", source: str | None = None):
        if not isinstance(data, dict):
            raise ScenarioError(
                f"expected a table, got {type(data).__name__} {data!r}", source=source, key=path or None
            )
        self.data = data
        self.path = path
        self.source = source
        self._taken: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, message: str, name: str | None = None) -> ScenarioError:
        return ScenarioError(message, source=self.source, key=self.key(name) if name else (self.path or None))

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str, default: Any = MISSING) -> Any:
        """Take a key without type checking."""
        self._taken.add(name)
        if name in self.data:
            return self.data[name]
        if default is MISSING:
            raise self.error("required key is missing", name)
        return default

    def get(
        self,
        name: str,
        typ: type | tuple = str,
        default: Any = MISSING,
        *,
        check: Callable[[Any], bool] | None = None,
        expect: str | None = None,
        choices: list | tuple | None = None,
    ) -> Any:
        """Take a typed key. ``check`` is a predicate described by ``expect``;
        ``choices`` restricts to a set of values (with suggestions on a miss)."""
        self._taken.add(name)
        if name not in self.data:
            if default is MISSING:
                raise self.error("required key is missing", name)
            return default
        value = self.data[name]
        types = typ if isinstance(typ, tuple) else (typ,)
        if not any(_type_ok(value, t) for t in types):
            want = expect or " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
            raise self.error(f"expected {want}, got {type(value).__name__} {value!r}", name)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(f"expected a finite number, got {value!r}", name)
        if choices is not None and value not in choices:
            raise self.error(f"{value!r} is not one of {list(choices)}." + close_matches(value, choices), name)
        if check is not None and not check(value):
            raise self.error(f"expected {expect or 'a valid value'}, got {value!r}", name)
        if float in types and int in types:
            return value
        if types == (float,):
            return float(value)
        return value

    def text(self, name: str, default: Any = MISSING) -> Any:
        """Take a string key that names something (shown in files, folders and reports):
        control characters, bidirectional overrides and other invisible formatting are refused."""
        value = self.get(name, str, default)
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise self.error(problem, name)
        return value

    def table(self, name: str, default: Any = MISSING) -> Table:
        return Table(self.raw(name, default), self.key(name), self.source)

    def tables(self, name: str, default: Any = MISSING) -> list[Table]:
        """An array of tables (``[[name]]``)."""
        value = self.raw(name, default)
        if not isinstance(value, list):
            raise self.error(f"expected an array of tables ([[{name}]]), got {type(value).__name__}", name)
        return [Table(item, f"{self.key(name)}[{i}]", self.source) for i, item in enumerate(value)]

    def finish(self, allowed_hint: list[str] | None = None) -> None:
        """Reject keys nobody consumed."""
        unknown = [k for k in self.data if k not in self._taken]
        if unknown:
            k = unknown[0]
            known = sorted(allowed_hint or self._taken)
            raise self.error(
                "unknown key." + close_matches(k, known) + (f" Known keys here: {', '.join(known)}." if known else ""),
                k,
            )


def positive_int(v) -> bool:
    return v >= 1


def non_negative_int(v) -> bool:
    return v >= 0


def probability(v) -> bool:
    return 0.0 <= v <= 1.0


def open_probability(v) -> bool:
    return 0.0 < v <= 1.0


_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be a name (None if it can): a control character (NUL, newline),
    a bidirectional override or other invisible formatting character, or an unassigned one."""
    if value.isascii() and value.isprintable():
        return None
    for i, ch in enumerate(value):
        if unicodedata.category(ch) in _INVISIBLE:
            return (
                f"{value!r} contains the invisible or control character U+{ord(ch):04X} "
                f"({unicodedata.name(ch, 'unnamed')}) at position {i}; names must be visible text"
            )
    return None


#: deepest nesting of tables and arrays a scenario may have
MAX_DEPTH = 32


def depth_problem(data: Any, max_depth: int = MAX_DEPTH) -> tuple[str, str] | None:
    """(key path, message) of the first value nested deeper than ``max_depth``, or None
    (iterative, so any depth is checked without recursion)."""
    stack = [(data, "", 0)]
    while stack:
        obj, path, depth = stack.pop()
        if depth > max_depth:
            return path, f"nested more than {max_depth} levels deep"
        if isinstance(obj, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in obj.items())
        elif isinstance(obj, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(obj))
    return None


# ------------------------------------------------------------------ names -> folder names
def slug(name: str) -> str:
    """The folder name of a population: every run of characters other than letters, digits, ``.``,
    ``_`` and ``-`` replaced by ``_`` (see ``tournament.output.outputs``)."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("_")
    return s or "population"


#: endings of the files a results folder holds: a population folder may not look like one
RESULT_SUFFIXES = (".json", ".csv", ".md", ".html", ".png", ".npz", ".parquet", ".tmp", ".lock")
MAX_FOLDER_NAME = 120


def folder_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a population folder (None if it can)."""
    folder = slug(name)
    if folder.startswith("."):
        return (
            f"gives the folder name {folder!r}, which is hidden or leaves the results folder; "
            "start it with a letter or digit"
        )
    if folder.lower().endswith(RESULT_SUFFIXES):
        return f"gives the folder name {folder!r}, which ends like a results file; rename it"
    if len(folder.encode()) > MAX_FOLDER_NAME:
        return f"gives a folder name of {len(folder.encode())} bytes; keep names under {MAX_FOLDER_NAME} characters"
    return None


def folder_clash(names: list[str]) -> tuple[int, int, str] | None:
    """The first two names (indices) whose folder names are equal, ignoring case (as on
    macOS and Windows file systems), or None."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = slug(name).lower()
        if key in seen:
            return seen[key], i, slug(name)
        seen[key] = i
    return None
