"""The complexity prior ζ ∝ w_class·2^(−K(h))·u(h): description lengths, class weights, masses."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tournament
from strategies.haggler import hypotheses as hy
from strategies.haggler.priors import PRESETS, description_bits, prior_weights
from strategies.haggler.space import KIND_CODE, SpaceSpec, build_space

PD = tournament.games.get("prisoners_dilemma")
SG = hy.SeatGame.of(PD, 0)
SPACE = build_space(SG, SpaceSpec(max_password=3, max_loop=2, max_automaton=3, prune=False))
CLASS = math.log2(5)


def _ids(kind):
    return np.flatnonzero(SPACE.kind == KIND_CODE[kind])


def test_description_lengths_follow_the_documented_formula():
    bits = description_bits(SPACE)
    assert bits[0] == pytest.approx(CLASS)  # ⊤
    assert np.allclose(bits[_ids("constant")], CLASS + 1)  # log2 |O| = 1
    for h in _ids("password"):
        n, m = SPACE.password_length[h], SPACE.loop_length[h]
        gamma_bits = lambda x: 2 * math.floor(math.log2(x)) + 1  # noqa: E731 (Elias gamma)
        assert bits[h] == pytest.approx(CLASS + gamma_bits(n + 1) + gamma_bits(m) + n * 1 + m * 2)
    # "password DDC then loop (C,C)": 2.32 + ℓ(4)=5 + ℓ(1)=1 + 3 + 2
    h = next(i for i in _ids("password") if SPACE.describe(i) == "password DDC then loop (C,C)")
    assert bits[h] == pytest.approx(CLASS + 11)
    for h in _ids("automaton"):
        q = SPACE.n_states[h]
        assert bits[h] == pytest.approx(CLASS + (2 * math.floor(math.log2(q)) + 1) + q * 1 + q * 2 * math.log2(q))
    # longer descriptions weigh less
    z = prior_weights(SPACE)
    assert z.sum() == pytest.approx(1.0)
    assert np.allclose(z / z[0], 2.0 ** -(bits - bits[0]))


def test_class_weights_and_password_mass():
    base = prior_weights(SPACE)
    heavy = prior_weights(SPACE, class_weights={"automaton": 8.0})
    au = _ids("automaton")
    rest = np.setdiff1d(np.arange(SPACE.n_hypotheses), au)
    # within a class nothing changes; across classes the ratio is the weight
    assert np.allclose(heavy[au] / heavy[rest[0]], 8 * base[au] / base[rest[0]])
    for mass in (0.05, 0.5, 0.9):
        z = prior_weights(SPACE, password_mass=mass)
        assert z[_ids("password")].sum() == pytest.approx(mass)
        pw = _ids("password")
        assert np.allclose(z[pw] / z[pw[0]], base[pw] / base[pw[0]])


def test_user_weight_function_sees_the_catalog():
    seen = {}

    def favour_long_loops(catalog):
        seen["columns"] = list(catalog.columns)
        return np.where(catalog["loop_length"] == 2, 4.0, 1.0)

    z = prior_weights(SPACE, weight=favour_long_loops)
    base = prior_weights(SPACE)
    assert {"id", "kind", "n_states", "password_length", "loop_length", "bits"} <= set(seen["columns"])
    two = np.flatnonzero(SPACE.loop_length == 2)
    one = np.flatnonzero(SPACE.loop_length == 1)
    assert (z[two[0]] / z[one[0]]) == pytest.approx(4 * base[two[0]] / base[one[0]])
    with pytest.raises(ValueError, match=r"weight: .* returned shape \(3,\)"):
        prior_weights(SPACE, weight=lambda c: np.ones(3))
    with pytest.raises(ValueError, match="weight: the user weight function raised KeyError"):
        prior_weights(SPACE, weight=lambda c: c["nope"])


def test_presets():
    assert {"ambitious", "cautious", "default"} <= set(PRESETS)
    amb, cau = PRESETS["ambitious"], PRESETS["cautious"]
    assert amb["max_password"] > cau["max_password"] and amb["max_loop"] > cau["max_loop"]
    assert amb["password_mass"] > cau["password_mass"]
    assert cau["class_weights"]["top"] > amb["class_weights"]["top"]
