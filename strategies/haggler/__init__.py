"""Infra-Bayesian haggler (seed 001, the post "Infra-Bayesian haggling"; docs/haggler.md).

Where things are:

- :mod:`.hypotheses` — the sharp infra-RDP type, its classes (⊤, constant, automaton,
  password h_{p,l}, custom tables), resettability, ``describe``;
- :mod:`.space` — a seat's whole hypothesis set as flat numpy arrays (enumeration, pruning);
- :mod:`.value_iteration` — robust values V_γ and optimal policies of all hypotheses at once;
- :mod:`.priors` — the complexity prior ζ and the named presets;
- :mod:`.config` — parameter validation and sizing for a seat;
- :mod:`.cache` — per-(game, seat, configuration) precomputation shared within a process;
- :mod:`.agent` — the ``ib_haggler`` strategy itself.
"""

from .agent import IBHaggler, Tracker
from .hypotheses import Hypothesis, SeatGame, automaton, constant, describe, from_table, password, top
from .priors import PRESETS

__all__ = [
    "IBHaggler",
    "Tracker",
    "Hypothesis",
    "SeatGame",
    "PRESETS",
    "automaton",
    "constant",
    "describe",
    "from_table",
    "password",
    "top",
]
