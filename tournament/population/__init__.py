"""Population tournaments (SPEC §5) as Mesa models, and the tools they share.

Kinds (each registers itself with :mod:`tournament.kinds`):

- ``ecological`` (:mod:`.ecological`): discrete replicator over the types' match payoffs;
- ``replicator`` (:mod:`.replicator`): Euler replicator dynamics (seed 002, App. F.3);
- ``moran`` (:mod:`.moran`): finite population, birth ∝ fitness, death uniform, optional
  mutation, well-mixed or on networkx interaction / replacement graphs;
- ``random_matching`` (:mod:`.random_matching`): new random groups every round, one strategy
  instance per individual that keeps learning across partners.

Comparing populations and parameter sweeps: :mod:`.compare`.
"""

from . import ecological, moran, random_matching, replicator  # noqa: F401  (register the kinds)
from . import compare  # noqa: F401  (registers the [sweep] table)
from .common import TypeSet, apportion, types_of
from .dynamics import replicator as replicator_dynamics
from .moran import fixation_probability
from .multisets import FocalPayoffs

__all__ = ["FocalPayoffs", "TypeSet", "apportion", "fixation_probability", "replicator_dynamics", "types_of"]
