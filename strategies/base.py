"""The strategy contract.

Subclass :class:`Strategy`, take parameters as keyword arguments of ``__init__`` and
override :meth:`Strategy.choose`. One instance plays one seat of one match; the engine gives
it a private random generator ``self.rng`` before :meth:`reset`.

**Parameters.** The arguments each instance was constructed with are recorded (every
subclass's ``__init__`` is wrapped when the class is defined), so :meth:`Strategy.get_params`,
:meth:`Strategy.clone` and the repr never lose a parameter, whatever attribute ``__init__``
stores it under. Storing it under its own name (scikit-learn style) is still the clearest:
then reassigning that attribute after construction (``s.punish = 5``) changes the parameter.

**Traces.** ``self.expose(key, value)`` records a per-round value (e.g. the haggler's
``demand``). A value belongs to the round being played: exposed in :meth:`reset` or
:meth:`choose` of round t, or in :meth:`observe` right after it, it is round t's (exposed
again in the same round, the last value wins). The collected trace has one entry per round
played: NaN for the rounds where a number trace was not exposed, a masked entry (an
``np.ma`` array, saved as ``""``) for a text trace. Values are numbers, booleans, strings or
numeric arrays of one fixed shape per key (``None`` = no value this round); anything else
(an object that cannot be stored without pickling, a ragged list, a shape or type that
changes between rounds) is rejected when it is exposed, naming the key and the round.
"""

from __future__ import annotations

import functools
import inspect
import pickle
import re
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and callable(init) and not getattr(init, "_records_params", False):
            cls.__init__ = _recording(init)  # type: ignore[method-assign]

    # ------------------------------------------------------------- hooks
    def reset(self, view: MatchView) -> None:
        """Called once before round 0 (the view already knows game and seat)."""

    def choose(self, view: MatchView) -> int | str:
        """Return this round's action: an index into the own action list, or a label."""
        raise NotImplementedError(f"{type(self).__name__} must implement choose(view)")

    def observe(self, view: MatchView) -> None:
        """Called after every round, when ``view.last_actions`` holds its outcome."""

    def automaton(self, game: Game, seat: int, horizon: int | None = None) -> Automaton | None:
        """This strategy, for seat ``seat`` of ``game``, as a finite automaton over observed
        profiles (see :mod:`strategies.automaton`), or None (the default) to be played through
        :meth:`choose` and :meth:`observe`. When every seat of a match has one, the batch engine
        plays the match; the automaton must play exactly as the hooks do, drawing from the
        seat's generator by the draw rule. ``horizon`` is the longest match it will play, when
        known (automata that count rounds need it; return None without it).
        """
        return None

    # ------------------------------------------------------------- engine side
    def begin_match(self, view: MatchView, rng: np.random.Generator) -> None:
        """Engine entry point: set the private generator, clear traces, call :meth:`reset`.

        The engine keeps ``self._trace_round`` at the round being played (see the module
        docstring) so that exposed values land in their round."""
        self.rng = rng
        self._traces: dict[str, _Trace] = {}
        self._trace_view = view
        self._trace_round = 0
        self.reset(view)

    def expose(self, key: str, value: Any) -> None:
        """Record ``value`` as this round's value of the trace ``key`` (see the module
        docstring for the allowed values and how rounds are assigned)."""
        if value is None:
            return
        traces = self.__dict__.get("_traces")
        if traces is None:  # used outside the engine
            traces = self._traces = {}
        trace = traces.get(key)
        if trace is None:
            trace = traces[key] = _Trace.first(key, value)
        elif type(value) not in _PLAIN or trace.kind != _KIND_OF_PLAIN[type(value)] or trace.shape:
            value = trace.check(key, value)
        rounds = trace.rounds
        t = self.__dict__.get("_trace_round", 0)
        if rounds and rounds[-1] == t:
            trace.values[-1] = value
        else:
            rounds.append(t)
            trace.values.append(value)

    def collect_traces(self) -> dict[str, np.ndarray]:
        """The exposed traces, one entry per round played (see the module docstring): numeric
        arrays (float with NaN where a round has no value), string arrays, or masked string
        arrays for text traces with missing rounds."""
        traces = self.__dict__.get("_traces") or {}
        view = self.__dict__.get("_trace_view")
        if view is not None:
            n = int(view.round)
        else:
            n = max((t.rounds[-1] + 1 for t in traces.values() if t.rounds), default=0)
        return {key: trace.array(n) for key, trace in traces.items()}

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
        """The constructor parameters of this instance: the arguments it was built with (a
        parameter not given has its default), except that an attribute of the parameter's
        name reassigned after construction wins (``s.punish = 5``)."""
        state = self.__dict__
        call = state.get("_init_call")
        if call is None:  # built without calling __init__ (e.g. object.__new__): attributes
            return {key: getattr(self, key, default) for key, default in self.parameters().items()}
        given, _ = self._given(call)
        stored = call[2]
        out = {}
        for key, default in self.parameters().items():
            value = state.get(key, _MISSING)
            if value is not _MISSING and key in stored and _changed(value, stored[key]):
                out[key] = value
            else:
                out[key] = given.get(key, default)
        for key, value in given.items():  # keywords taken by **kwargs
            if key not in out:
                out[key] = value
        return out

    def clone(self) -> Strategy:
        """A fresh instance with the same parameters (:meth:`get_params`)."""
        call = self.__dict__.get("_init_call")
        extra = self._given(call)[1] if call else ()  # arguments taken by *args, if any
        return type(self)(*extra, **self.get_params())

    def _given(self, call) -> tuple[dict[str, Any], tuple]:
        args, kwargs, _ = call
        return _bind(type(self).__init__, args, kwargs) if args else (kwargs, ())

    @classmethod
    def registry_name(cls) -> str:
        return cls.name or snake_case(cls.__name__)

    @classmethod
    def summary(cls) -> str:
        """First sentence of the docstring (which may run over several lines)."""
        doc = (inspect.getdoc(cls) or "").strip()
        para = " ".join(doc.split("\n\n", 1)[0].split())
        end = re.search(r"(?<=[.!?])\s+(?=[A-Z(\"'`])", para)
        return para[: end.start()] if end else para

    def __repr__(self) -> str:
        defaults = self.parameters()
        shown = [
            f"{k}={v!r}"
            for k, v in self.get_params().items()
            if defaults.get(k, inspect.Parameter.empty) is inspect.Parameter.empty or v != defaults[k]
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


_NUMBER, _TEXT = "number", "text"
_PLAIN = (float, int, bool, str, np.float64, np.int64, np.bool_)
_KIND_OF_PLAIN = {
    float: _NUMBER,
    int: _NUMBER,
    bool: _NUMBER,
    np.float64: _NUMBER,
    np.int64: _NUMBER,
    np.bool_: _NUMBER,
    str: _TEXT,
}
_KEY = re.compile(r"^[^/\\\x00]{1,100}$")


class _Trace:
    """One exposed key: its kind ("number" or "text"), the shape of one round's value, and the
    rounds and values exposed so far (rounds strictly increasing)."""

    __slots__ = ("kind", "shape", "rounds", "values")

    def __init__(self, kind: str, shape: tuple[int, ...]):
        self.kind = kind
        self.shape = shape
        self.rounds: list[int] = []
        self.values: list = []

    @staticmethod
    def _classify(key: str, value: Any) -> tuple[str, tuple[int, ...], Any]:
        if isinstance(value, (str, np.str_)):
            return _TEXT, (), str(value)
        if isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
            return _NUMBER, (), value
        if isinstance(value, (np.ndarray, list, tuple)):
            try:
                arr = np.array(value)
            except ValueError as exc:
                raise _expose_error(
                    key,
                    f"the value is a ragged sequence ({exc}); expose numbers, strings or "
                    "numeric arrays of one fixed shape",
                ) from None
            if arr.dtype.kind in "biufc":
                arr.flags.writeable = False
                return _NUMBER, arr.shape, arr
            raise _expose_error(
                key,
                f"a sequence of {arr.dtype} cannot be a trace; expose numbers, strings or "
                "numeric arrays of one fixed shape",
            )
        try:
            pickle.dumps(value)
        except Exception as exc:  # noqa: BLE001 - any pickling failure means "cannot be stored"
            why = f"a {type(value).__name__} cannot be pickled ({type(exc).__name__}: {exc}), so it cannot be saved"
        else:
            why = f"a {type(value).__name__} is not a number, string or numeric array"
        raise _expose_error(key, why + "; expose numbers, strings or numeric arrays of one fixed shape")

    @classmethod
    def first(cls, key: Any, value: Any) -> _Trace:
        if not isinstance(key, str) or not _KEY.match(key):
            raise _expose_error(key, "a trace key is a non-empty string of at most 100 characters without '/' or '\\'")
        kind, shape, _ = cls._classify(key, value)
        return cls(kind, shape)

    def check(self, key: str, value: Any) -> Any:
        kind, shape, value = self._classify(key, value)
        if kind != self.kind:
            raise _expose_error(
                key,
                f"this round's value is a {kind} ({value!r:.40}), earlier rounds' were "
                f"{self.kind}s; a trace holds one kind of value",
            )
        if shape != self.shape:
            raise _expose_error(
                key,
                f"this round's value has shape {shape}, earlier rounds' had shape {self.shape}; "
                "a trace's values must all have one shape (ragged traces cannot be stored)",
            )
        return value

    def array(self, n: int) -> np.ndarray:
        rounds, values = self.rounds, self.values
        while rounds and rounds[-1] >= n:  # exposed in reset of a match that played no round
            rounds, values = rounds[:-1], values[:-1]
        full = len(rounds) == n
        if self.kind == _TEXT:
            arr = np.full(n, "", dtype=np.str_) if not values else np.full(n, "", dtype=np.array(values).dtype)
            if values:
                arr[rounds] = values
            if full:
                return arr
            mask = np.ones(n, dtype=bool)
            mask[rounds] = False
            return np.ma.MaskedArray(arr, mask=mask)
        if full and n:
            return np.asarray(values) if not self.shape else np.stack(values)
        sample = np.asarray(values[0]) if values else np.zeros(())
        dtype = complex if sample.dtype.kind == "c" else float
        arr = np.full((n,) + self.shape, np.nan, dtype=dtype)
        if values:
            arr[rounds] = np.stack([np.asarray(v) for v in values]) if self.shape else values
        return arr


def _expose_error(key: Any, message: str):
    from tournament.errors import StrategyError

    return StrategyError(f"expose({key!r}, ...): {message}")


_MISSING = object()
_SCALARS = (int, float, complex, str, bytes, bool)


def _changed(value: Any, before: Any) -> bool:
    """Whether an attribute was reassigned since ``__init__``: another object, except an equal
    number or string (pickling does not keep the identity of those)."""
    if value is before:
        return False
    return not (type(value) is type(before) and type(value) in _SCALARS and value == before)


def _recording(init):
    """``init`` wrapped to record the outermost call (a subclass's ``super().__init__(...)``
    inside it is not the constructor call) in ``_init_call``: its positional and keyword
    arguments and the attributes as ``__init__`` left them. Nothing else is done here (the
    arguments are matched to parameter names only when asked for): populations build 10^4
    and more instances."""

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        state = self.__dict__
        if "_init_call" in state:
            return init(self, *args, **kwargs)
        state["_init_call"] = None
        init(self, *args, **kwargs)
        state["_init_call"] = (args, kwargs, state.copy())

    __init__._records_params = True  # type: ignore[attr-defined]
    return __init__


@functools.lru_cache(maxsize=1024)
def _signature(init) -> inspect.Signature:
    return inspect.signature(init)


def _bind(init, args: tuple, kwargs: dict) -> tuple[dict[str, Any], tuple]:
    """Positional constructor arguments by parameter name (those taken by ``*args`` apart)."""
    sig = _signature(init)
    bound = sig.bind(None, *args, **kwargs).arguments
    given: dict[str, Any] = {}
    extra: tuple = ()
    for i, (name, value) in enumerate(bound.items()):
        if i == 0:
            continue  # self
        kind = sig.parameters[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            extra = tuple(value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            given.update(value)
        else:
            given[name] = value
    return given, extra


@functools.lru_cache(maxsize=1024)
def _init_parameters(init) -> tuple[tuple[str, Any], ...]:
    # cached: a population builds one strategy instance per individual (10^4 and more)
    sig = inspect.signature(init)
    return tuple(
        (p.name, p.default)
        for p in list(sig.parameters.values())[1:]
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


def snake_case(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
