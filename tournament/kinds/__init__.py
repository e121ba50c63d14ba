"""Tournament kinds: the registry (:mod:`.registry`; :func:`get` and :func:`names` load the built-in
kinds first) and one light module per built-in kind
declaring its ``[tournament]`` keys, seats, size estimate and checkpoint checks
(:mod:`.round_robin`, :mod:`.ecological`, :mod:`.replicator`, :mod:`.moran`,
:mod:`.random_matching`), with what the population kinds share (:mod:`.population`: types,
composition, selection) and the Moran graphs (:mod:`.graphs`). The Mesa models that run the
kinds are in :mod:`tournament.models`.
"""

from ..plugins import import_modules
from .registry import Kind, KindResult, RecordCheck, RunOptions, all_seats, register, registered

#: the modules declaring the built-in kinds, in the order the kinds are listed
_KIND_MODULES = (
    "tournament.kinds.round_robin",
    "tournament.kinds.ecological",
    "tournament.kinds.moran",
    "tournament.kinds.random_matching",
    "tournament.kinds.replicator",
)


_LOADED = False


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import_modules(_KIND_MODULES)


def names() -> list[str]:
    """The names of every kind, the built-in ones loaded first."""
    _load()
    return list(registered())


def get(name: str) -> Kind:
    """The kind ``name`` (KeyError if there is none)."""
    _load()
    return registered()[name]


__all__ = ["Kind", "KindResult", "RecordCheck", "RunOptions", "all_seats", "get", "names", "register", "registered"]
