"""Strategies of the Axelrod library as entrants: ``strategy = "axelrod:<ClassName>"``.

Any of the library's 200+ strategies can then meet ours in 2-player games with 2 actions
per player. ``axelrod`` is an optional dependency (``pip install 'ibtournament[axelrod]'``,
which pins ``axelrod==4.13.0`` plus ``pyarrow``: 4.14 drags in a multi-GB torch build).

How the wrapped player sees the match, and why:

- Actions map to the library's C/D by the same rule as our classics (see
  :mod:`strategies.cooperation`): ``C``/``D`` labels, else first action = C; the
  ``cooperate``/``defect`` parameters override that.
- Each round the player's ``strategy(opponent)`` is called once, against a stand-in
  opponent :class:`axelrod.Player` whose history mirrors the real one. Both histories
  record the actions *after* noise, which is what the library's own ``Match`` does.
- ``match_attributes`` are what ``axelrod.Match`` passes by default: ``length`` is the match
  length of a fixed-length match (``view.turns``) and ``float("inf")`` when the length is
  random (``prob_end``, even with a ``turns`` cap, as in ``Match``) or hidden
  (``reveal_length = false``: the library's documented way to hide it is
  ``match_attributes={"length": float("inf")}``); ``game`` is the seat's own payoffs as
  ``axelrod.Game(R, S, T, P)``; ``noise`` is the match's noise (``view.noise``).
- A stochastic player (the library's instance classifier, as ``Match`` checks it) gets
  ``set_seed(s)`` with ``s`` drawn from the seat's own generator in the range ``Match`` uses
  (``0 <= s < 2**32 - 1``), so runs reproduce; a library ``Match`` that gave the player the
  same ``s`` sees the same moves (the parity sweep, ``benchmarks/axelrod_parity_sweep.py``,
  relies on this). Non-stochastic players are not seeded, as in ``Match``.
- Strategies that inspect or manipulate their opponent's source or state (the library's
  "cheaters") are refused: the stand-in opponent is not the real one.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import warnings
from functools import cache
from typing import Any, ClassVar

import numpy as np

from tournament.errors import StrategyError, close_matches

from . import _axelrod_names
from .base import Strategy
from .cooperation import cooperation_actions

PREFIX = "axelrod:"
_CHEATING = ("inspects_source", "manipulates_source", "manipulates_state")


def _axelrod():
    try:
        with warnings.catch_warnings():  # "Human strategy not available ..." on import
            warnings.simplefilter("ignore")
            import axelrod
    except ImportError:
        raise StrategyError(
            "strategies 'axelrod:<ClassName>' need the Axelrod library: "
            "pip install 'axelrod==4.13.0' pyarrow (or the project's [axelrod] extra)"
        ) from None
    return axelrod


class AxelrodStrategy(Strategy):
    """A strategy of the Axelrod library, wrapped (base of the per-class wrappers)."""

    axelrod_name: ClassVar[str] = ""
    stochastic = True

    def __init__(self, **params: Any):
        axl_cls = self.axelrod_class()
        self.cooperate = params.pop("cooperate", None)
        self.defect = params.pop("defect", None)
        try:
            inspect.signature(axl_cls).bind(**params)
            probe = axl_cls(**params)
        except TypeError as exc:
            raise TypeError(f"axelrod.{self.axelrod_name}: {exc}") from None
        self._params = params
        for key, value in params.items():
            setattr(self, key, value)
        self._stochastic = bool(_axelrod().Classifiers["stochastic"](probe))
        self._fresh = probe  # unused so far: the first reset plays with it (constructing can be costly)

    # ------------------------------------------------------------ class facts
    @classmethod
    def axelrod_class(cls) -> type[Any]:
        return _lookup(cls.axelrod_name)

    @classmethod
    def parameters(cls) -> dict[str, Any]:
        sig = inspect.signature(cls.axelrod_class().__init__)
        params = {
            p.name: p.default
            for p in list(sig.parameters.values())[1:]
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        }
        params.update(cooperate=None, defect=None)
        return params

    @classmethod
    def registry_name(cls) -> str:
        return PREFIX + cls.axelrod_name

    @classmethod
    def summary(cls) -> str:
        doc = inspect.getdoc(cls.axelrod_class()) or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        return f"Axelrod library: {first}".strip()

    @property
    def is_stochastic(self) -> bool:
        return self._stochastic

    def get_params(self) -> dict[str, Any]:
        out = dict(self._params)
        if self.cooperate is not None or self.defect is not None:
            out.update(cooperate=self.cooperate, defect=self.defect)
        return out

    def __reduce__(self):
        return (_rebuild, (self.axelrod_name, self.get_params()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{PREFIX}{self.axelrod_name}({shown})"

    # ------------------------------------------------------------ play
    def reset(self, view) -> None:
        game = view.game
        if game.n_players != 2 or any(n != 2 for n in game.n_actions):
            raise StrategyError(
                f"axelrod:{self.axelrod_name} plays 2-player games with 2 actions per player; "
                f"game {game.name!r} has {game.n_players} players with {list(game.n_actions)} actions"
            )
        axl = _axelrod()
        seat, other = view.seat, 1 - view.seat
        self.C, self.D = cooperation_actions(game, seat, self.cooperate, self.defect)
        opp_c, _ = cooperation_actions(game, other, self.cooperate, self.defect)
        self._to_axl = {self.C: axl.Action.C, self.D: axl.Action.D}
        self._opp_to_axl = {opp_c: axl.Action.C, 1 - opp_c: axl.Action.D}
        self._from_axl = {axl.Action.C: self.C, axl.Action.D: self.D}

        def own(mine: int, theirs: int) -> float:
            profile = [0, 0]
            profile[seat], profile[other] = mine, theirs
            return float(game.payoff(tuple(profile))[seat])

        opp_d = 1 - opp_c
        rpst = own(self.C, opp_c), own(self.C, opp_d), own(self.D, opp_c), own(self.D, opp_d)
        fresh, self._fresh = getattr(self, "_fresh", None), None
        self.player = fresh if fresh is not None else self.axelrod_class()(**self._params)
        self.opponent = axl.Player()
        attributes = self.match_attributes(view, axl.Game(*rpst))
        try:
            with np.errstate(all="ignore"):  # the ValueError below says what is wrong
                self.player.set_match_attributes(**attributes)
        except Exception as exc:  # noqa: BLE001 - e.g. zero-determinant strategies on other payoffs
            raise StrategyError(
                f"axelrod:{self.axelrod_name} rejects this seat's payoffs (R, S, T, P) = "
                f"({', '.join(f'{v:g}' for v in rpst)}): {type(exc).__name__}{': ' + str(exc) if str(exc) else ''}"
            ) from None
        self.opponent.set_match_attributes(**attributes)
        if self._stochastic:
            self.player.set_seed(self.player_seed())

    @staticmethod
    def match_attributes(view, game) -> dict[str, Any]:
        """``match_attributes`` as ``axelrod.Match`` gives them: the known length (``inf`` when
        the length is random or hidden), the game and the noise."""
        return {
            "length": float("inf") if view.turns is None else int(view.turns),
            "game": game,
            "noise": float(view.noise),
        }

    def player_seed(self) -> int:
        """The library player's seed: drawn from the seat's generator, in the range of the
        seeds ``axelrod.Match`` gives its players (``RandomGenerator.random_seed_int``)."""
        return int(self.rng.integers(0, 2**32 - 1, dtype=np.uint64))

    def choose(self, view) -> int:
        action = self.player.strategy(self.opponent)
        try:
            return self._from_axl[action]
        except KeyError:
            raise StrategyError(f"axelrod:{self.axelrod_name} returned {action!r}, not C or D") from None

    def observe(self, view) -> None:
        last = view.last_actions
        play, coplay = self._to_axl[last[view.seat]], self._opp_to_axl[last[1 - view.seat]]
        self.player.update_history(play, coplay)
        self.opponent.update_history(coplay, play)


def _rebuild(name: str, params: dict) -> AxelrodStrategy:
    return wrapper(name)(**params)


def library_names() -> dict[str, type[Any]]:
    """Every class ``axelrod:<ClassName>`` may name, from the installed library (imports it):
    ``axelrod.all_strategies`` and the other ``axelrod.Player`` subclasses of its namespace."""
    axl = _axelrod()
    known = {cls.__name__: cls for cls in axl.all_strategies}
    known.update(
        {
            n: v
            for n, v in vars(axl).items()  # e.g. the parametrised Cycler, not in all_strategies
            if isinstance(v, type) and issubclass(v, axl.Player) and v is not axl.Player
        }
    )
    return known


def _unknown(name: str, version: str, known) -> StrategyError:
    return StrategyError(
        f"the Axelrod library (axelrod {version}) has no strategy class {name!r}."
        + close_matches(name, known)
        + ' Its classes are listed by: python -c "import axelrod; print([s.__name__ for s in axelrod.all_strategies])"'
    )


def _cheat_error(name: str, cheats) -> StrategyError:
    return StrategyError(
        f"axelrod:{name} {' and '.join(c.replace('_', ' ') for c in cheats)}; it cannot play through "
        "the adapter, whose stand-in opponent is not the real one"
    )


def _check_offline(name: str) -> None:
    """Refuse a name the installed library does not have (or one the adapter cannot play)
    without importing the library, when its version is the one ``_axelrod_names`` lists; a
    missing library is reported at once too."""
    try:
        version = importlib.metadata.version("axelrod")
    except importlib.metadata.PackageNotFoundError:
        _axelrod()  # raises the "needs the Axelrod library" error (or finds a library without metadata)
        return
    if version != _axelrod_names.AXELROD_VERSION:
        return  # another version: its own names decide (in _lookup)
    if name not in _axelrod_names.NAMES:
        raise _unknown(name, version, sorted(_axelrod_names.NAMES))
    if name in _axelrod_names.CHEATING:
        raise _cheat_error(name, _axelrod_names.CHEATING[name])


@cache
def _lookup(name: str) -> type[Any]:
    _check_offline(name)
    axl = _axelrod()
    known = library_names()
    cls = known.get(name)
    if cls is None:
        raise _unknown(name, axl.__version__, known)
    cheats = [c for c in _CHEATING if cls.classifier.get(c)]
    if cheats:
        raise _cheat_error(name, cheats)
    return cls


@cache
def wrapper(name: str) -> type[AxelrodStrategy]:
    """The :class:`Strategy` subclass wrapping ``axelrod.<name>`` (created once per name)."""
    axl_cls = _lookup(name)
    cls = type(
        f"Axelrod_{name}",
        (AxelrodStrategy,),
        {
            "axelrod_name": name,
            "name": PREFIX + name,
            "stochastic": bool(axl_cls.classifier.get("stochastic", True)),
            "__module__": __name__,
            "__doc__": f"axelrod.{name}, wrapped. " + (AxelrodStrategy.__doc__ or ""),
        },
    )
    return cls


def __getattr__(attr: str):
    # lets pickle find wrapper classes by name in any process (they are made on demand)
    if attr.startswith("Axelrod_"):
        return wrapper(attr[len("Axelrod_") :])
    raise AttributeError(attr)
