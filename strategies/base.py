"""The strategy contract (SPEC §3).

Subclass :class:`Strategy`, take parameters as keyword arguments of ``__init__`` (stored
as attributes of the same name, scikit-learn style), and override :meth:`Strategy.choose`.
One instance plays one seat of one match; the engine gives it a private random generator
``self.rng`` before :meth:`reset`.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from tournament.game import Game
    from tournament.view import MatchView

    from .automaton import Automaton


class Strategy:
    """Base class of every strategy.

    Class attributes:

    - ``name``: registry name (snake_case); defaults to the snake_case class name.
    - ``stochastic``: whether play may depend on randomness (``self.rng`` or the shared
      random number). Defaults to True so that user strategies are never wrongly treated as
      deterministic; deterministic built-ins set it to False, which lets a tournament
      play a deterministic noiseless match once and reuse it across repetitions.

    Hooks: :meth:`reset` at match start, :meth:`choose` every round (required),
    :meth:`observe` after every round. :meth:`expose` records per-round traces
    (e.g. the haggler's ``demand``) that end up in ``MatchResult.traces``.
    """

    name: ClassVar[str] = ""
    stochastic: ClassVar[bool] = True
    path_params: ClassVar[tuple[str, ...]] = ()
    """Parameters holding file paths (or ``"file.py:name"`` references): when the strategy is
    built from a scenario file, relative ones are resolved against the scenario's folder."""

    rng: np.random.Generator

    # ------------------------------------------------------------- hooks
    def reset(self, view: "MatchView") -> None:
        """Called once before round 0 (the view already knows game and seat)."""

    def choose(self, view: "MatchView") -> int | str:
        """Return this round's action: an index into the own action list, or a label."""
        raise NotImplementedError(f"{type(self).__name__} must implement choose(view)")

    def observe(self, view: "MatchView") -> None:
        """Called after every round, when ``view.last_actions`` holds its outcome."""

    def automaton(self, game: "Game", seat: int, horizon: int | None = None) -> "Automaton | None":
        """This strategy, for seat ``seat`` of ``game``, as a finite automaton over observed
        profiles (see :mod:`strategies.automaton`), or None (the default) to be played through
        :meth:`choose` and :meth:`observe`. When every seat of a match has one, the batch engine
        plays the match; the automaton must play exactly as the hooks do, drawing from the
        seat's generator by the draw rule. ``horizon`` is the longest match it will play, when
        known (automata that count rounds need it; return None without it).
        """
        return None

    # ------------------------------------------------------------- engine side
    def begin_match(self, view: "MatchView", rng: np.random.Generator) -> None:
        """Engine entry point: set the private generator, clear traces, call :meth:`reset`."""
        self.rng = rng
        self._traces: dict[str, list] = {}
        self.reset(view)

    def expose(self, key: str, value: Any) -> None:
        """Append ``value`` to the per-round trace ``key``."""
        self._traces.setdefault(key, []).append(value)

    def collect_traces(self) -> dict[str, np.ndarray]:
        """The exposed traces as arrays (object arrays for non-numeric values)."""
        out = {}
        for key, values in getattr(self, "_traces", {}).items():
            try:
                arr = np.asarray(values)
                if arr.dtype == object:
                    raise ValueError
            except ValueError:
                arr = np.empty(len(values), dtype=object)
                arr[:] = values
            out[key] = arr
        return out

    @property
    def is_stochastic(self) -> bool:
        """Whether this instance (with its parameters) may play randomly."""
        return bool(type(self).stochastic)

    # ------------------------------------------------------------- params
    @classmethod
    def parameters(cls) -> dict[str, Any]:
        """Constructor parameters and their defaults (``inspect.Parameter.empty`` if required)."""
        return dict(_init_parameters(cls.__init__))

    def get_params(self) -> dict[str, Any]:
        return {key: getattr(self, key, default) for key, default in self.parameters().items()}

    def clone(self) -> "Strategy":
        """A fresh instance with the same parameters."""
        return type(self)(**self.get_params())

    @classmethod
    def registry_name(cls) -> str:
        return cls.name or snake_case(cls.__name__)

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring."""
        doc = inspect.getdoc(cls) or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""

    def __repr__(self) -> str:
        defaults = self.parameters()
        shown = [
            f"{k}={v!r}" for k, v in self.get_params().items()
            if defaults.get(k, inspect.Parameter.empty) is inspect.Parameter.empty or v != defaults[k]
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


@functools.lru_cache(maxsize=1024)
def _init_parameters(init) -> tuple[tuple[str, Any], ...]:
    # cached: a population builds one strategy instance per individual (10^4 and more)
    sig = inspect.signature(init)
    return tuple(
        (p.name, p.default) for p in list(sig.parameters.values())[1:]
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


def snake_case(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
