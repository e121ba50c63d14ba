"""Importing the modules that register kinds, report sections, etc. on first use."""

from __future__ import annotations

import importlib
from typing import Iterable


def import_modules(names: Iterable[str]) -> None:
    """Import each module; a module that does not exist (an optional part) is skipped,
    but an import error *inside* an existing module propagates."""
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
