"""Importing modules on first use: the modules that register kinds, report sections, etc.
(imported by name, as plugins), and the names a package exports (PEP 562), so that importing
a package loads none of what it re-exports until that is used."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any


def import_modules(names: Iterable[str]) -> None:
    """Import each module; a module that does not exist (an optional part) is skipped,
    but an import error *inside* an existing module propagates."""
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` (PEP 562). ``exports`` maps each name to
    the module that defines it, relative to the package (``".engine.match"``); a name equal to
    the module's own last part (``"games": ".games"``) is the module itself. A name is imported
    when first looked up, then kept in the package's namespace."""

    def __getattr__(name: str) -> Any:
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(target, package)
        value = module if target.rsplit(".", 1)[-1] == name else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__


def lazy_function(reference: str) -> Callable[..., Any]:
    """A function named ``"package.module:function"``, imported on its first call (a kind's
    ``run`` lives with its Mesa model, which scenario validation never needs)."""
    module_name, _, attr = reference.partition(":")
    target: list[Callable[..., Any]] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        if not target:
            target.append(getattr(importlib.import_module(module_name), attr))
        return target[0](*args, **kwargs)

    call.__name__ = attr
    call.__qualname__ = attr
    call.__module__ = module_name
    call.__doc__ = f"{reference}, imported on first call."
    call.reference = reference  # type: ignore[attr-defined]
    return call
