"""The seatings of a round robin: which entrant sits in which seat, for every match of one
repetition (used by the ``round_robin`` kind's checks, its Mesa model and the live view)."""

from __future__ import annotations

import itertools


def seatings(n_entrants: int, k: int, symmetric: bool, self_play: bool) -> list[tuple[int, ...]]:
    """All seatings (entrant index per seat) of one repetition, in a fixed order."""
    pick = itertools.combinations_with_replacement if self_play else itertools.combinations
    out: list[tuple[int, ...]] = []
    for group in pick(range(n_entrants), k):
        if symmetric:
            out.append(group)
        else:
            out.extend(sorted(set(itertools.permutations(group))))
    return out
