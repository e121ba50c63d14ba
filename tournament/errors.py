"""Exceptions with enough context to act on.

Every error a user can trigger by bad input derives from :class:`TournamentError`;
the command line prints its message as one paragraph (no traceback unless
``--debug``). Messages name the file, the key path, the strategy or the seat.
"""

from __future__ import annotations


class TournamentError(Exception):
    """Base class of all user-facing errors."""


class GameError(TournamentError, ValueError):
    """An invalid game definition (shape, labels, values) or an unknown game."""


class ScenarioError(TournamentError, ValueError):
    """An invalid scenario file or dict.

    ``source`` is the file (or ``"<dict>"``), ``key`` the dotted key path such as
    ``entrants[2].params.p``.
    """

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        self.source = source
        self.key = key
        self.detail = message
        where = []
        if source:
            where.append(str(source))
        if key:
            where.append(f"key '{key}'")
        prefix = (": ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)

    def __reduce__(self):
        return (_rebuild, (type(self), self.detail, {"source": self.source, "key": self.key}))


class StrategyError(TournamentError):
    """A strategy raised, returned an invalid action, or could not be built.

    Carries the strategy name, seat, match id and round where known.
    """

    def __init__(
        self,
        message: str,
        *,
        strategy: str | None = None,
        seat: int | None = None,
        match_id: int | None = None,
        round: int | None = None,
    ):
        self.strategy = strategy
        self.seat = seat
        self.match_id = match_id
        self.round = round
        self.detail = message
        where = []
        if strategy is not None:
            where.append(f"strategy '{strategy}'")
        if seat is not None:
            where.append(f"seat {seat}")
        if match_id is not None:
            where.append(f"match {match_id}")
        if round is not None:
            where.append(f"round {round}")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)

    def __reduce__(self):
        ctx = {"strategy": self.strategy, "seat": self.seat, "match_id": self.match_id, "round": self.round}
        return (_rebuild, (type(self), self.detail, ctx))

    def at_match(self, match_id: int) -> StrategyError:
        """The same error in another match (a deterministic failure replayed from the cache)."""
        return type(self)(self.detail, strategy=self.strategy, seat=self.seat, match_id=match_id, round=self.round)


def _rebuild(cls, message, ctx):
    """Unpickle an error with its context (errors cross process boundaries)."""
    return cls(message, **ctx)


def close_matches(word: object, candidates, n: int = 3) -> str:
    """A ' Did you mean ...?' suffix for misspelt names, or ''."""
    import difflib

    hits = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=n, cutoff=0.6)
    if not hits:
        return ""
    return " Did you mean " + " or ".join(repr(h) for h in hits) + "?"


class WorkerLost(TournamentError):
    """A worker process died (killed, out of memory, or a crash in native code) while it ran
    tasks; every task finished before that is kept in the checkpoint."""


class RunInterrupted(TournamentError):
    """A run stopped by Ctrl-C (or a failing strategy) with its finished work checkpointed."""
