"""Strategy registry and loading of user strategy classes.

Built-ins register with :func:`register`. A strategy reference is one of:

- a registry name: ``"tit_for_tat"``;
- an import path: ``"package.module:Class"`` (an installed module, or one in the scenario
  file's folder or the working directory);
- a file path: ``"path/to/file.py:Class"`` (relative paths resolve against ``base_dir``,
  the directory of the scenario file).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import Any

from tournament.errors import StrategyError, close_matches

from .base import Strategy

_REGISTRY: dict[str, type[Strategy]] = {}
_BUILTINS_LOADED = False
_FILE_CACHE: dict[tuple[str, float], Any] = {}
_INTERNAL_MODULES = {"base", "registry", "testing"}  # not strategies: never imported to find them


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: make ``cls`` available under its registry name."""
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise TypeError(f"register expects a Strategy subclass, got {cls!r}")
    key = cls.registry_name()
    other = _REGISTRY.get(key)
    if other is not None and other is not cls and other.__qualname__ != cls.__qualname__:
        raise ValueError(f"strategy name {key!r} is already registered by {other.__module__}.{other.__qualname__}")
    _REGISTRY[key] = cls
    return cls


def _load_builtins() -> None:
    """Import every module of this package so that their @register decorators run."""
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    pkg = sys.modules[__package__]
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name not in _INTERNAL_MODULES and not info.name.startswith("_"):
            importlib.import_module(f"{__package__}.{info.name}")


def names() -> list[str]:
    """Registry names of all built-in (and registered) strategies."""
    _load_builtins()
    return sorted(_REGISTRY)


def registered() -> dict[str, type[Strategy]]:
    _load_builtins()
    return dict(sorted(_REGISTRY.items()))


def resolve(ref: str | type, base_dir: str | Path | None = None) -> type[Strategy]:
    """The strategy class for a reference (name, ``pkg.mod:Class``, ``file.py:Class`` or
    ``axelrod:Class`` for a strategy of the Axelrod library)."""
    if isinstance(ref, type):
        if issubclass(ref, Strategy):
            return ref
        raise StrategyError(f"{ref!r} is not a subclass of strategies.Strategy")
    if not isinstance(ref, str) or not ref:
        raise StrategyError(f"a strategy reference must be a non-empty string, got {ref!r}")
    if ":" not in ref:
        _load_builtins()
        if ref in _REGISTRY:
            return _REGISTRY[ref]
        raise StrategyError(
            f"unknown strategy {ref!r}."
            + close_matches(ref, _REGISTRY)
            + " Run 'tournament list strategies' for the built-ins, or name a class as"
            " 'package.module:Class' or 'file.py:Class'."
        )
    if ref.startswith("axelrod:"):  # the Axelrod library's strategies, wrapped (docs/axelrod.md)
        from .axelrod_adapter import wrapper

        return wrapper(ref[len("axelrod:") :])
    target, _, clsname = ref.rpartition(":")
    if not target or not clsname:
        raise StrategyError(f"strategy reference {ref!r} must look like 'module:Class' or 'file.py:Class'")
    if target.endswith(".py"):
        module = _load_file(target, base_dir, ref)
    else:
        module = _import_module(target, base_dir, ref)
    cls = getattr(module, clsname, None)
    if cls is None:
        found = [
            n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, Strategy) and v is not Strategy
        ]
        raise StrategyError(
            f"{target!r} has no class {clsname!r} (strategy {ref!r})."
            + close_matches(clsname, found)
            + (f" Strategy classes there: {', '.join(sorted(found))}." if found else "")
        )
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise StrategyError(f"{ref!r} is not a subclass of strategies.Strategy")
    return cls


def _import_module(target: str, base_dir, ref: str):
    """Import ``package.module``: from the installed packages (sys.path) or, if its top-level
    package is not found there, from the scenario's folder or the working directory (as
    ``python`` would find a module next to a script)."""
    try:
        try:
            return importlib.import_module(target)
        except ModuleNotFoundError as exc:
            top = target.split(".")[0]
            if exc.name != top:
                raise
            places = list(dict.fromkeys(str(Path(d).resolve()) for d in (base_dir, Path.cwd()) if d is not None))
            spec = importlib.machinery.PathFinder.find_spec(top, places)
            if spec is None or spec.loader is None:
                raise ModuleNotFoundError(
                    f"{exc} (looked on sys.path and in {' and '.join(places)})", name=top
                ) from None
            module = importlib.util.module_from_spec(spec)
            sys.modules[top] = module  # so that its submodules and pickled classes resolve
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(top, None)
                raise
            return importlib.import_module(target)
    except ImportError as exc:
        raise StrategyError(f"cannot import module {target!r} for strategy {ref!r}: {exc}") from None
    except (Exception, SystemExit) as exc:  # a user module that fails (or exits) at import time
        raise StrategyError(f"importing {target!r} for strategy {ref!r} raised {_what(exc)}") from None


def _load_file(target: str, base_dir, ref: str):
    path = Path(target)
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    path = path.resolve()
    if not path.is_file():
        raise StrategyError(f"strategy file {str(path)!r} not found (strategy {ref!r})")
    key = (str(path), path.stat().st_mtime)
    if key in _FILE_CACHE:
        return _FILE_CACHE[key]
    modname = "_user_strategies_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:  # not a file Python can import (the caller checked the .py suffix)
        raise StrategyError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    # registered in sys.modules so that classes defined there pickle by reference
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # sys.exit() in a strategy file is an error, not an exit
        sys.modules.pop(modname, None)
        line = ""
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(path):
                line = f" (line {tb.tb_lineno})"
            tb = tb.tb_next
        raise StrategyError(f"loading {str(path)!r}{line} raised {_what(exc)}") from None
    _FILE_CACHE[key] = module
    return module


@functools.lru_cache(maxsize=1024)
def _accepts_kwargs(init) -> bool:
    return any(p.kind is p.VAR_KEYWORD for p in inspect.signature(init).parameters.values())


def check_params(cls: type[Strategy], params: dict, label: str | None = None) -> None:
    """Raise StrategyError if ``params`` does not fit ``cls``'s constructor."""
    label = label or cls.registry_name()
    accepts_kwargs = _accepts_kwargs(cls.__init__)
    known = cls.parameters()
    if not accepts_kwargs:
        for key in params:
            if key not in known:
                raise StrategyError(
                    f"strategy {label!r} has no parameter {key!r}; its parameters are "
                    f"{sorted(known) or 'none'}." + close_matches(key, known)
                )
    missing = [k for k, d in known.items() if d is inspect.Parameter.empty and k not in params]
    if missing:
        raise StrategyError(f"strategy {label!r} needs parameter(s) {missing}")


def build(ref: str | type, params: dict | None = None, base_dir=None, label: str | None = None) -> Strategy:
    """Instantiate a strategy from a reference and keyword parameters, with clear errors."""
    cls = resolve(ref, base_dir)
    params = dict(params or {})
    label = label or (ref if isinstance(ref, str) else cls.registry_name())
    check_params(cls, params, label)
    if base_dir is not None:  # file parameters are relative to the scenario file, like file strategies
        for key in getattr(cls, "path_params", ()):
            if isinstance(params.get(key), str):
                params[key] = resolve_path(params[key], base_dir)
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise StrategyError(f"strategy {label!r} rejected its parameters {params}: {exc}") from None
    except StrategyError:
        raise
    except (Exception, SystemExit) as exc:  # any failure of a user's __init__, sys.exit() included
        raise StrategyError(f"strategy {label!r}: creating it with parameters {params} raised {_what(exc)}") from None


def _what(exc: BaseException) -> str:
    """'RuntimeError: boom', or 'sys.exit(3)' for a SystemExit."""
    if isinstance(exc, SystemExit):
        return f"sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


def resolve_path(value: str, base_dir) -> str:
    """A relative file path, or the file part of a ``"file.py:name"`` reference, made absolute
    against ``base_dir``; ``"module:name"`` references and absolute paths are left alone."""
    target, sep, name = value.rpartition(":")
    if sep:
        if not target.endswith(".py") or Path(target).is_absolute():
            return value
        return f"{Path(base_dir) / target}{sep}{name}"
    return value if Path(value).is_absolute() else str(Path(base_dir) / value)


def get(name: str, **params) -> Strategy:
    """A built-in (or any referenced) strategy instance: ``get("random", p=0.3)``."""
    return build(name, params)
