"""Tournament kinds: the registry (:mod:`.registry`) and one light module per built-in kind
declaring its ``[tournament]`` keys, seats, size estimate and checkpoint checks
(:mod:`.round_robin`, :mod:`.ecological`, :mod:`.replicator`, :mod:`.moran`,
:mod:`.random_matching`), with what the population kinds share (:mod:`.population`: types,
composition, selection) and the Moran graphs (:mod:`.graphs`). The Mesa models that run the
kinds are in :mod:`tournament.models`.
"""

from .registry import Kind, KindResult, RecordCheck, RunOptions, all_seats, get, names, register

__all__ = ["Kind", "KindResult", "RecordCheck", "RunOptions", "all_seats", "get", "names", "register"]
