"""All seeding lives here: every random draw derives from the scenario seed.

A match's randomness depends only on ``(scenario seed, stream, match id)``, never on
which worker runs it or in which order, so results are identical for any number of
workers or any backend. Inside a match, stream 0 drives the engine (shared random
number, noise, match length) and stream ``1 + seat`` is that seat's private generator.
"""

from __future__ import annotations

import secrets

import numpy as np

# Distinct top-level streams so that e.g. population dynamics never reuse match seeds.
MATCH_STREAM = 0
POPULATION_STREAM = 1
ANALYSIS_STREAM = 2


def fresh_seed() -> int:
    """A new random seed for runs that gave none (it is recorded in the outputs)."""
    return secrets.randbits(63)


def seed_sequence(seed: int | np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The SeedSequence for ``key`` below ``seed`` (equivalent to nested ``spawn``)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + tuple(key))
    return np.random.SeedSequence(int(seed), spawn_key=tuple(int(k) for k in key))


def match_seed(seed: int, match_id: int, stream: int = MATCH_STREAM) -> np.random.SeedSequence:
    """Seed sequence of one match of a tournament."""
    return seed_sequence(seed, stream, match_id)


def engine_seed(match_ss: np.random.SeedSequence) -> np.random.SeedSequence:
    """Engine stream of a match: shared random numbers, noise, match length."""
    return seed_sequence(match_ss, 0)


def seat_seed(match_ss: np.random.SeedSequence, seat: int) -> np.random.SeedSequence:
    """Private stream of one seat of a match."""
    return seed_sequence(match_ss, 1 + seat)


def generator(ss: np.random.SeedSequence | int | None) -> np.random.Generator:
    """A PCG64 generator for a seed sequence (or int seed)."""
    return np.random.default_rng(ss)
