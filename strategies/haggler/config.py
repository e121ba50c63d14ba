"""The haggler's parameters: validation, presets, sizing for a particular seat.

:func:`settings` checks the constructor parameters without a game (errors name the
parameter, e.g. ``max_loop: expected a positive integer, got 0``). :func:`resolve` fits
them to one seat of one game: fills N, M, m from the preset, shrinks them to fit
``max_hypotheses`` when they were not given explicitly (an explicit setting that does not
fit is an error), and turns custom tables into :class:`~.hypotheses.Hypothesis` objects.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .hypotheses import KINDS, Hypothesis, SeatGame, from_table
from .priors import PRESETS
from .space import SpaceSpec, estimate_size

DEFAULT_MAX_HYPOTHESES = 200_000


@dataclass(frozen=True)
class Settings:
    """Validated, game-independent parameters."""

    prior: str
    gamma: float
    classes: tuple[str, ...]
    max_password: int | None  # None: from the preset, shrunk to fit
    max_loop: int | None
    max_automaton: int | None
    class_weights: tuple[tuple[str, float], ...]
    password_mass: float | None
    weight: Any  # callable, "module:function" / "file.py:function", or None
    custom: tuple[Any, ...]  # Hypothesis objects or (canonical JSON of) tables
    custom_source: str
    max_hypotheses: int
    prune: bool

    def weight_key(self) -> Any:
        w = self.weight
        if isinstance(w, str):
            path = w.rpartition(":")[0]
            mtime = os.path.getmtime(path) if path.endswith(".py") and os.path.exists(path) else None
            return (w, mtime)
        return w


@dataclass(frozen=True)
class Resolved:
    """Settings fitted to one seat: what to build, and the prior's parameters."""

    space: SpaceSpec
    gamma: float
    class_weights: dict
    password_mass: float | None
    weight: Callable | None

    def space_key(self) -> tuple:
        return (self.space.key(), self.gamma)


def _nonneg_int(name: str, value: Any, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name}: expected a {kind} integer, got {value!r}")
    return int(value)


def settings(
    prior: str, gamma: Any, max_password: Any, max_loop: Any, max_automaton: Any, classes: Any,
    class_weights: Any, password_mass: Any, weight: Any, custom: Any, custom_file: Any,
    max_hypotheses: Any, prune: Any,
) -> Settings:
    """Validate the constructor parameters (see :class:`~.agent.IBHaggler`)."""
    if prior not in PRESETS:
        from tournament.errors import close_matches

        raise ValueError(f"prior: unknown preset {prior!r}; presets are {sorted(PRESETS)}." + close_matches(prior, PRESETS))
    preset = PRESETS[prior]
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not (0 < gamma < 1):
        raise ValueError(f"gamma: expected a discount factor in (0, 1), got {gamma!r}")
    N = _nonneg_int("max_password", max_password)
    M = _nonneg_int("max_loop", max_loop, 1)
    m = _nonneg_int("max_automaton", max_automaton, 1)
    if classes is None:
        cls = tuple(preset["classes"])
    else:
        if isinstance(classes, str) or not isinstance(classes, (list, tuple)):
            raise ValueError(f"classes: expected a list of class names from {list(KINDS)}, got {classes!r}")
        for c in classes:
            if c not in KINDS:
                raise ValueError(f"classes: unknown class {c!r}; classes are {list(KINDS)}")
        if "top" not in classes:
            raise ValueError("classes: 'top' (⊤) is always part of the space; list it explicitly")
        cls = tuple(k for k in KINDS if k in classes)
    cw = dict(preset["class_weights"])
    if class_weights is not None:
        if not isinstance(class_weights, dict):
            raise ValueError(f"class_weights: expected a table class -> weight, got {class_weights!r}")
        for k, v in class_weights.items():
            if k not in KINDS:
                raise ValueError(f"class_weights.{k}: unknown class; classes are {list(KINDS)}")
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"class_weights.{k}: expected a non-negative number, got {v!r}")
            cw[k] = float(v)
    if cw.get("top", 1.0) <= 0:
        raise ValueError("class_weights.top: ⊤ must keep a positive weight (it is the hypothesis that is never falsified)")
    pm = preset["password_mass"] if password_mass is None else password_mass
    if pm is not None and (isinstance(pm, bool) or not isinstance(pm, (int, float)) or not (0 < pm < 1)):
        raise ValueError(f"password_mass: expected a share in (0, 1), got {password_mass!r}")
    if weight is not None and not (callable(weight) or (isinstance(weight, str) and ":" in weight)):
        raise ValueError(f"weight: expected a function or a reference 'module:function' / 'file.py:function', got {weight!r}")
    tables: list[Any] = []
    if custom is not None:
        if isinstance(custom, (dict, Hypothesis)):
            custom = [custom]
        if not isinstance(custom, (list, tuple)):
            raise ValueError(f"custom: expected a list of hypothesis tables, got {type(custom).__name__}")
        for i, c in enumerate(custom):
            if isinstance(c, Hypothesis):
                tables.append(c)
            elif isinstance(c, dict):
                tables.append(_canonical(c))
            else:
                raise ValueError(f"custom[{i}]: expected a table (or a Hypothesis), got {type(c).__name__}")
    source = "custom"
    if custom_file is not None:
        if not isinstance(custom_file, (str, os.PathLike)):
            raise ValueError(f"custom_file: expected a path, got {custom_file!r}")
        path = Path(custom_file)
        if not path.is_file():
            raise ValueError(f"custom_file: file {str(path)!r} not found")
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"custom_file: {str(path)!r} is not valid TOML: {exc}") from None
        hyps = data.get("hypotheses")
        if not isinstance(hyps, list) or not all(isinstance(h, dict) for h in hyps):
            raise ValueError(f"custom_file: {str(path)!r} must hold [[hypotheses]] tables")
        if custom is not None:
            raise ValueError("custom_file: give custom hypotheses inline ('custom') or in a file, not both")
        extra = set(data) - {"hypotheses"}
        if extra:
            raise ValueError(f"custom_file: {str(path)!r} has unknown top-level key(s) {sorted(extra)}; expected [[hypotheses]]")
        tables = [_canonical(h) for h in hyps]
        source = f"{path}: hypotheses"
    if tables and "custom" not in cls:
        cls = cls + ("custom",)
    mh = _nonneg_int("max_hypotheses", max_hypotheses, 1)
    if not isinstance(prune, bool):
        raise ValueError(f"prune: expected true or false, got {prune!r}")
    return Settings(prior, float(gamma), cls, N, M, m, tuple(sorted(cw.items())), None if pm is None else float(pm),
                    weight, tuple(tables), source, mh, prune)


def _canonical(table: dict) -> str:
    """Custom tables are kept as canonical JSON: hashable for the cache, and picklable."""
    try:
        return json.dumps(table, sort_keys=False)
    except TypeError as exc:
        raise ValueError(f"custom: table is not plain data ({exc})") from None


def resolve(st: Settings, sg: SeatGame) -> Resolved:
    """Fit the settings to one seat: custom tables, N/M/m, the size limit, the weight function."""
    custom = []
    for i, c in enumerate(st.custom):
        where = f"{st.custom_source}[{i}]"  # e.g. custom[0], or hyps.toml: hypotheses[0]
        custom.append(from_table(sg, c if isinstance(c, Hypothesis) else json.loads(c), where))
    preset = PRESETS[st.prior]
    explicit = {"max_password": st.max_password is not None, "max_loop": st.max_loop is not None,
                "max_automaton": st.max_automaton is not None}
    spec = SpaceSpec(
        classes=st.classes,
        max_password=st.max_password if st.max_password is not None else preset["max_password"],
        max_loop=st.max_loop if st.max_loop is not None else preset["max_loop"],
        max_automaton=st.max_automaton if st.max_automaton is not None else preset["max_automaton"],
        prune=st.prune, custom=tuple(custom),
    )
    spec = _fit(spec, sg, st.max_hypotheses, explicit)
    weight = _load_weight(st.weight) if st.weight is not None else None
    return Resolved(spec, st.gamma, dict(st.class_weights), st.password_mass, weight)


def _fit(spec: SpaceSpec, sg: SeatGame, limit: int, explicit: dict) -> SpaceSpec:
    """Shrink the sizes that were not given explicitly until the space fits ``limit``."""
    from dataclasses import replace

    def size(s: SpaceSpec) -> int:
        return estimate_size(sg, s)["hypotheses"]

    # the automaton class first: its enumeration has a hard limit of its own
    while "automaton" in spec.classes and spec.max_automaton > 1 and not explicit["max_automaton"]:
        try:
            n = size(replace(spec, classes=("top", "automaton"), custom=()))
        except ValueError:
            n = limit + 1
        if n <= limit // 2:
            break
        spec = replace(spec, max_automaton=spec.max_automaton - 1)
    current = size(spec)
    if current > limit and not (explicit["max_password"] and explicit["max_loop"]):
        # the largest space within the limit among N' <= N, M' <= M (ties: longer passwords)
        Ns = [spec.max_password] if explicit["max_password"] else range(spec.max_password + 1)
        Ms = [spec.max_loop] if explicit["max_loop"] else range(1, spec.max_loop + 1)
        fits = [(size(o), o.max_password, o) for o in
                (replace(spec, max_password=n, max_loop=m) for n in Ns for m in Ms)]
        fits = [f for f in fits if f[0] <= limit]
        if fits:
            current, _, spec = max(fits, key=lambda f: (f[0], f[1]))
        else:
            spec = replace(spec, max_password=min(Ns), max_loop=min(Ms))
            current = size(spec)
    if current > limit:
        est = estimate_size(sg, spec)
        detail = ", ".join(f"{k} {v:,}" for k, v in est["by_kind"].items() if v)
        raise ValueError(
            f"max_hypotheses: the hypothesis space for seat {sg.seat} of {sg.game_name!r} "
            f"(|A| = {sg.n_actions}, |O| = {sg.n_obs}) with max_password = {spec.max_password}, "
            f"max_loop = {spec.max_loop}, max_automaton = {spec.max_automaton} would hold "
            f"{current:,} hypotheses ({detail}), over max_hypotheses = {limit:,}. Lower max_password / "
            f"max_loop / max_automaton, or raise max_hypotheses (memory ≈ {est['bytes'] * 3 / 2**20:,.0f} MiB)."
        )
    return spec


def _load_weight(ref: Any) -> Callable:
    if callable(ref):
        return ref
    target, _, name = ref.rpartition(":")
    if target.endswith(".py"):
        from strategies.registry import _load_file

        try:
            module = _load_file(target, None, ref)
        except Exception as exc:
            raise ValueError(f"weight: cannot load {ref!r}: {getattr(exc, 'detail', exc)}") from None
    else:
        try:
            module = importlib.import_module(target)
        except Exception as exc:
            raise ValueError(f"weight: cannot import module {target!r}: {exc}") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise ValueError(f"weight: {target!r} has no function {name!r}")
    return fn
