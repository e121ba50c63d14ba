"""The haggler's parameters: validation, presets, sizing for a particular seat.

:func:`settings` checks the constructor parameters without a game (errors name the
parameter, e.g. ``max_loop: expected a positive integer, got 0``). :func:`resolve` fits
them to one seat of one game: fills N, M, m from the preset, cuts them to the seat's budget
ceiling when they were not given explicitly (one ceiling for every preset, so the presets
stay nested; an explicit setting that does not fit is an error), and turns custom tables
into :class:`~.hypotheses.Hypothesis` objects.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    nominal: dict = field(default_factory=dict)  # N/M/m before the budget cut (preset or explicit)
    limit: int = DEFAULT_MAX_HYPOTHESES

    def space_key(self) -> tuple:
        return (self.space.key(), self.gamma)

    @property
    def cut(self) -> dict[str, tuple[int, int]]:
        """{size: (nominal, used)} for the sizes the budget lowered (empty: no cut)."""
        return {
            k: (self.nominal[k], getattr(self.space, k))
            for k in self.nominal
            if getattr(self.space, k) < self.nominal[k]
        }


def _nonneg_int(name: str, value: Any, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name}: expected a {kind} integer, got {value!r}")
    return int(value)


def settings(
    prior: str,
    gamma: Any,
    max_password: Any,
    max_loop: Any,
    max_automaton: Any,
    classes: Any,
    class_weights: Any,
    password_mass: Any,
    weight: Any,
    custom: Any,
    custom_file: Any,
    max_hypotheses: Any,
    prune: Any,
) -> Settings:
    """Validate the constructor parameters (see :class:`~.agent.IBHaggler`)."""
    if prior not in PRESETS:
        from tournament.errors import close_matches

        raise ValueError(
            f"prior: unknown preset {prior!r}; presets are {sorted(PRESETS)}." + close_matches(prior, PRESETS)
        )
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
        raise ValueError(
            "class_weights.top: ⊤ must keep a positive weight (it is the hypothesis that is never falsified)"
        )
    pm = preset["password_mass"] if password_mass is None else password_mass
    if pm is not None and (isinstance(pm, bool) or not isinstance(pm, (int, float)) or not (0 < pm < 1)):
        raise ValueError(f"password_mass: expected a share in (0, 1), got {password_mass!r}")
    if weight is not None and not (callable(weight) or (isinstance(weight, str) and ":" in weight)):
        raise ValueError(
            f"weight: expected a function or a reference 'module:function' / 'file.py:function', got {weight!r}"
        )
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
            raise ValueError(
                f"custom_file: {str(path)!r} has unknown top-level key(s) {sorted(extra)}; expected [[hypotheses]]"
            )
        tables = [_canonical(h) for h in hyps]
        source = f"{path}: hypotheses"
    if tables and "custom" not in cls:
        cls = cls + ("custom",)
    mh = _nonneg_int("max_hypotheses", max_hypotheses, 1)
    if mh is None:  # the size limit is not optional (unlike the preset's sizes, None is no default here)
        raise ValueError(f"max_hypotheses: expected a positive integer, got {max_hypotheses!r}")
    if not isinstance(prune, bool):
        raise ValueError(f"prune: expected true or false, got {prune!r}")
    return Settings(
        prior,
        float(gamma),
        cls,
        N,
        M,
        m,
        tuple(sorted(cw.items())),
        None if pm is None else float(pm),
        weight,
        tuple(tables),
        source,
        mh,
        prune,
    )


def _canonical(table: dict) -> str:
    """Custom tables are kept as canonical JSON: hashable for the cache, and picklable."""
    try:
        return json.dumps(table, sort_keys=False)
    except TypeError as exc:
        raise ValueError(f"custom: table is not plain data ({exc})") from None


SIZES = ("max_password", "max_loop", "max_automaton")


def resolve(st: Settings, sg: SeatGame) -> Resolved:
    """Fit the settings to one seat: custom tables, N/M/m, the size limit, the weight function.

    Sizes left unset come from the preset, cut to the seat's budget ceiling
    (:func:`budget_ceiling`): one ceiling for all presets, so that cautious ⊆ default ⊆
    ambitious holds in every game. Explicit sizes are never changed; if they do not fit
    ``max_hypotheses`` it is an error that says how many hypotheses they would make.
    """
    custom = tuple(
        from_table(
            sg, c if isinstance(c, Hypothesis) else json.loads(c), f"{st.custom_source}[{i}]"
        )  # e.g. custom[0], or hyps.toml: hypotheses[0]
        for i, c in enumerate(st.custom)
    )
    given = {k: getattr(st, k) for k in SIZES}
    nominal = {k: given[k] if given[k] is not None else PRESETS[st.prior][k] for k in SIZES}
    ceiling = budget_ceiling(sg, st.classes, st.prune, custom, st.max_hypotheses, given)
    used = {k: nominal[k] if given[k] is not None else min(nominal[k], ceiling[k]) for k in SIZES}
    spec = SpaceSpec(classes=st.classes, prune=st.prune, custom=custom, **used)
    _check_fits(spec, sg, st.max_hypotheses)
    weight = _load_weight(st.weight) if st.weight is not None else None
    return Resolved(
        spec, st.gamma, dict(st.class_weights), st.password_mass, weight, nominal=nominal, limit=st.max_hypotheses
    )


_CEILINGS: dict = {}


def budget_ceiling(
    sg: SeatGame, classes: tuple[str, ...], prune: bool, custom: tuple, limit: int, given: dict[str, int | None]
) -> dict[str, int]:
    """The largest sizes (N, M, m) any preset may use at this seat within ``limit`` hypotheses.

    The ceiling is fitted to the *largest* preset (each size at its maximum over the presets,
    or the explicit value where one is given): m is lowered until the automata take at most
    half the limit (their enumeration also has a hard limit); then, if the space is still too
    large, (N, M) is the largest fitting pair N ≤ N_max, M ≤ M_max, preferring pairs that keep
    the default preset whole, then more hypotheses, then longer passwords. Every preset is
    cut to the same ceiling, so the presets stay nested (they may coincide where the budget
    is tight, e.g. default and ambitious in schelling_order).
    """
    key = (sg.key(), classes, prune, tuple(h.key() for h in custom), limit, tuple(given[k] for k in SIZES))
    hit = _CEILINGS.get(key)
    if hit is not None:
        return dict(hit)
    from dataclasses import replace

    def given_or(k: str, fallback: int) -> int:
        v = given[k]
        return fallback if v is None else v

    top = {k: given_or(k, max(p[k] for p in PRESETS.values())) for k in SIZES}
    default = {k: given_or(k, PRESETS["default"][k]) for k in SIZES}

    def size(s: SpaceSpec) -> int:
        return estimate_size(sg, s)["hypotheses"]

    spec = SpaceSpec(classes=classes, prune=prune, custom=custom, **top)
    # the automaton class first: its enumeration has a hard limit of its own
    while "automaton" in classes and spec.max_automaton > 1 and given["max_automaton"] is None:
        try:
            n = size(replace(spec, classes=("top", "automaton"), custom=()))
        except ValueError:
            n = limit + 1
        if n <= limit // 2:
            break
        spec = replace(spec, max_automaton=spec.max_automaton - 1)
    free_n, free_m = given["max_password"] is None, given["max_loop"] is None
    if size(spec) > limit and (free_n or free_m):
        Ns = range(spec.max_password + 1) if free_n else [spec.max_password]
        Ms = range(1, spec.max_loop + 1) if free_m else [spec.max_loop]
        fits = []
        for n in Ns:
            for m in Ms:
                c = replace(spec, max_password=n, max_loop=m)
                k = size(c)
                if k <= limit:
                    keeps_default = n >= default["max_password"] and m >= default["max_loop"]
                    fits.append(((keeps_default, k, n), c))
        if fits:
            spec = max(fits, key=lambda f: f[0])[1]
        else:  # nothing fits: the smallest; resolve() reports the error
            spec = replace(spec, max_password=min(Ns), max_loop=min(Ms))
    out = {k: getattr(spec, k) for k in SIZES}
    _CEILINGS[key] = out
    return dict(out)


def _check_fits(spec: SpaceSpec, sg: SeatGame, limit: int) -> None:
    est = estimate_size(sg, spec)
    current = est["hypotheses"]
    if current > limit:
        detail = ", ".join(f"{k} {v:,}" for k, v in est["by_kind"].items() if v)
        raise ValueError(
            f"max_hypotheses: the hypothesis space for seat {sg.seat} of {sg.game_name!r} "
            f"(|A| = {sg.n_actions}, |O| = {sg.n_obs}) with max_password = {spec.max_password}, "
            f"max_loop = {spec.max_loop}, max_automaton = {spec.max_automaton} would hold "
            f"{current:,} hypotheses ({detail}), over max_hypotheses = {limit:,}. Lower max_password / "
            f"max_loop / max_automaton, or raise max_hypotheses (memory ≈ {est['bytes'] * 3 / 2**20:,.0f} MiB)."
        )


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
