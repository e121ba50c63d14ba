"""The engine owns its generators: pinned first draws and actions (identical on every supported
Mesa version), Mesa only gets an integer seed — in matches and in every other Mesa model
(round robin, share dynamics, Moran, random matching) — and chunked draws equal drawing at once."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from tournament import games, play_match, seeding
from tournament.engine.match import MatchModel, format_actions

PD = games.get("prisoners_dilemma")
SS = seeding.match_seed(2024, 7)


def test_engine_generator_first_draws_are_pinned():
    rng, mesa_seed = seeding.engine_generator(SS)
    assert mesa_seed == 179273588
    model = MatchModel(PD, [strategies.get("tit_for_tat"), strategies.get("tit_for_tat")], turns=5, seed=SS)
    assert [float(x).hex() for x in model.xi] == [
        "0x1.bfca9873efddap-1",
        "0x1.f7730c85a8e60p-6",
        "0x1.8b75a3e528390p-4",
        "0x1.b0cb251cdf046p-2",
        "0x1.dd93dcbcfb9a4p-2",
    ]
    # the same numbers straight from the documented draw order
    assert np.array_equal(model.xi, rng.random(5))


def test_mesa_gets_the_integer_seed_and_decides_none_of_our_draws():
    _, mesa_seed = seeding.engine_generator(SS)
    model = MatchModel(
        PD, [strategies.get("random", p=0.5), strategies.get("tit_for_tat")], turns=30, noise=0.1, seed=SS
    )
    assert model.random.random() == random.Random(mesa_seed).random()
    model.rng = None  # Mesa's generators play no part in the match
    model.random = None
    res = model.run()
    again = play_match(PD, [strategies.get("random", p=0.5), "tit_for_tat"], turns=30, noise=0.1, seed=SS)
    assert np.array_equal(res.actions, again.actions)


def test_noisy_match_actions_are_pinned():
    r = play_match(PD, ["tit_for_tat", "win_stay_lose_shift"], turns=40, noise=0.1, seed=SS)
    assert format_actions(PD, r.actions, 0) == "CCCDDCCDDDCDDCDDCDDCDDDCCCCCCCCCCDCDDCCD"
    assert format_actions(PD, r.actions, 1) == "CCDDCDDDDCDDCDDCDDCDDDCCCCCCCCCCDDCCDCDD"
    # three actions: the noise offsets are drawn too
    rps = games.get("rock_paper_scissors")
    r = play_match(
        rps,
        [strategies.get("cycler", pattern="RPS"), strategies.get("fixed", action="P")],
        turns=30,
        noise=0.2,
        seed=SS,
    )
    assert format_actions(rps, r.actions, 0) == "PPSSPSRPPRPPRPSRPSRSSRPSRPRRRS"
    assert format_actions(rps, r.actions, 1) == "PPPRSPPSPPPPPRPPPPPPPPPPRPSPRP"


def _legacy_draws(ss, length_args, noise, n_actions):
    """Everything drawn at once, in the documented order (how versions before 0.2 drew)."""
    rng = np.random.default_rng(seeding.engine_seed(ss))
    rng.integers(seeding.MESA_SEED_BOUND)
    length = seeding.match_length(rng, *length_args)
    xi = rng.random(length)
    if noise <= 0:
        return length, xi, None, None
    flips = rng.random((length, len(n_actions))) < noise
    shifts = (
        np.stack([rng.integers(1, max(n, 2), size=length) for n in n_actions], axis=1)
        if length
        else np.zeros((0, len(n_actions)), dtype=np.int64)
    )
    return length, xi, flips, shifts


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    n_actions=st.lists(st.integers(1, 5), min_size=2, max_size=3),
    turns=st.integers(0, 90),
    prob_end=st.sampled_from([None, 0.02, 0.3]),
    noise=st.sampled_from([0.0, 0.1, 0.5]),
    chunk=st.integers(1, 17),
)
def test_chunked_draws_equal_drawing_everything_at_once(seed, n_actions, turns, prob_end, noise, chunk):
    ss = seeding.match_seed(seed, 3)
    length, xi, flips, shifts = _legacy_draws(ss, (turns, prob_end), noise, n_actions)
    rng, _ = seeding.engine_generator(ss)
    assert seeding.match_length(rng, turns, prob_end) == length
    draws = seeding.RoundDraws(rng, length, noise, n_actions, chunk=chunk)
    parts = []
    t = 0
    while t < length:
        part = draws.chunk(t)
        parts.append(part)
        t += len(part[0])
    got_xi = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    assert np.array_equal(got_xi, xi)
    if noise > 0 and length:
        assert np.array_equal(np.concatenate([p[1] for p in parts]), flips)
        assert np.array_equal(np.concatenate([p[2] for p in parts]), shifts)


def test_long_noisy_three_action_match_is_drawn_in_chunks_with_the_same_result(monkeypatch):
    rps = games.get("rock_paper_scissors")
    players = [strategies.get("cycler", pattern="RPSS"), strategies.get("fixed", action="P")]
    whole = play_match(rps, players, turns=3000, noise=0.3, seed=5)
    monkeypatch.setattr(seeding.RoundDraws, "CHUNK", 64)
    model = MatchModel(rps, [p.clone() for p in players], turns=3000, noise=0.3, seed=5)
    assert model._draws._whole is None  # really chunked
    chunked = model.run()
    assert np.array_equal(whole.actions, chunked.actions)
    monkeypatch.undo()
    assert np.array_equal(model.xi, MatchModel(rps, [p.clone() for p in players], turns=3000, seed=5).xi)


@pytest.mark.parametrize("seed", [0, 1])
def test_results_do_not_depend_on_the_mesa_version(seed):
    """A stochastic noisy match (private seat streams and engine noise), pinned."""
    r = play_match(PD, [strategies.get("random", p=0.5), "generous_tit_for_tat"], turns=12, noise=0.05, seed=seed)
    pinned = {0: "DCCCDDDDCDDD/CDCCCCDDCCCC", 1: "DDCCCCDCCDDC/CCCCCCCCCCDD"}
    got = format_actions(PD, r.actions, 0) + "/" + format_actions(PD, r.actions, 1)
    assert got == pinned[seed]


@settings(max_examples=30, deadline=None)
@given(
    entropy=st.integers(0, 2**70),
    keys=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 2**32 - 1), st.integers(0, 5)), min_size=1, max_size=6),
)
def test_vectorised_seeding_equals_numpys(entropy, keys):
    states = seeding.spawned_states(entropy, np.array(keys))
    for key, (state, inc) in zip(keys, states):
        bits = np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=key))
        assert bits.state["state"] == {"state": state, "inc": inc}
        raw = bits.random_raw(5).tolist()
        a, c = seeding.pcg64_jump(1)
        outs = []
        for _ in range(5):
            state = (a * state + c * inc) % 2**128
            outs.append(seeding.pcg64_output(state))
        assert outs == raw
        a3, c3 = seeding.pcg64_jump(3)
        assert (a3 * 7 + c3 * inc) % 2**128 == (
            a * ((a * ((a * 7 + c * inc) % 2**128) + c * inc) % 2**128) + c * inc
        ) % 2**128


def test_skipping_numbers_equals_drawing_them():
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    for g in (a, b):
        g.integers(seeding.MESA_SEED_BOUND)  # leaves half a word buffered
    a.random(1000)
    seeding.skip_doubles(b, 1000)
    assert a.bit_generator.state == b.bit_generator.state
    assert np.array_equal(a.integers(1, 5, size=9), b.integers(1, 5, size=9))


# ------------------------------------------------------------------ every Mesa model
def _models_seeds(monkeypatch, build):
    """The ``rng`` each Mesa model built by ``build()`` handed to ``mesa.Model.__init__``, by class."""
    import mesa

    seen: dict[str, object] = {}
    init = mesa.Model.__init__

    def spy(self, *args, **kwargs):
        seen.setdefault(type(self).__name__, kwargs.get("rng"))
        return init(self, *args, **kwargs)

    monkeypatch.setattr(mesa.Model, "__init__", spy)
    model = build()
    monkeypatch.undo()
    return model, seen


def _population_scenario(kind, **settings):
    from tournament.scenario import load_scenario

    return load_scenario(
        {
            "name": "seeds",
            "seed": 11,
            "game": {"name": "prisoners_dilemma"},
            "tournament": {"kind": kind, "turns": 5, **settings},
            "entrants": [
                {"strategy": "tit_for_tat", "count": 3},
                {"strategy": "random", "params": {"p": 0.5}, "count": 3},
            ],
        }
    )


def _round_robin(kind):
    from tournament.kinds.registry import RunOptions
    from tournament.models.round_robin import RoundRobinModel

    sc = _population_scenario(kind, repetitions=2)
    return RoundRobinModel(sc, sc.populations[0], RunOptions())


def _shares(cls_name):
    def build():
        from tournament.kinds.registry import RunOptions
        from tournament.models import shares

        sc = _population_scenario(cls_name.replace("Model", "").lower(), repetitions=2)
        return getattr(shares, cls_name)(sc, sc.populations[0], RunOptions())

    return build


def _moran():
    from tournament.kinds.population import types_of
    from tournament.kinds.registry import RunOptions
    from tournament.models.moran import MoranModel, moran_context
    from tournament.models.payoffs import estimate_payoffs

    sc = _population_scenario("moran", repetitions=2, runs=3)
    ctx, _, _ = moran_context(sc, estimate_payoffs(sc, types_of(sc.populations[0]), RunOptions()))
    return MoranModel(ctx, 2)


def _random_matching():
    from tournament.models.random_matching import RandomMatchingModel, context_for

    return RandomMatchingModel(context_for(_population_scenario("random_matching", runs=2)), 1)


def _moran_placement(model, rng):
    """What a Moran model draws while it is built: the random placement of its individuals."""
    rng.shuffle(np.repeat(np.arange(len(model.ctx.types)), model.ctx.counts))


# model class, how to build one, the SeedSequence it is seeded from, Mesa's integer seed, the first
# number of the model's own generator once built (pinned: the same on Mesa 3.3 and 3.5), and what
# the model draws while it is built
MODELS = [
    (
        "RoundRobinModel",
        lambda: _round_robin("round_robin"),
        seeding.seed_sequence(11, seeding.ANALYSIS_STREAM),
        746503771,
        "0x1.1892f005b4d90p-1",
        None,
    ),
    (
        "EcologicalModel",
        _shares("EcologicalModel"),
        seeding.seed_sequence(11, seeding.POPULATION_STREAM),
        1388763433,
        "0x1.bab280d66a2bep-2",
        None,
    ),
    (
        "ReplicatorModel",
        _shares("ReplicatorModel"),
        seeding.seed_sequence(11, seeding.POPULATION_STREAM),
        1388763433,
        "0x1.bab280d66a2bep-2",
        None,
    ),
    (
        "MoranModel",
        _moran,
        seeding.seed_sequence(11, seeding.POPULATION_STREAM, 1, 2),
        1057744551,
        "0x1.9e6baa130465ap-1",
        _moran_placement,
    ),
    (
        "RandomMatchingModel",
        _random_matching,
        seeding.seed_sequence(11, seeding.POPULATION_STREAM, 2, 1),
        2142875890,
        "0x1.f00868dba6dadp-1",
        None,
    ),
]


@pytest.mark.parametrize("name, build, ss, pinned_seed, first, built", MODELS, ids=[m[0] for m in MODELS])
def test_every_mesa_model_gets_an_integer_seed_and_owns_its_generator(
    monkeypatch, name, build, ss, pinned_seed, first, built
):
    model, seen = _models_seeds(monkeypatch, build)
    assert type(model).__name__ == name
    legacy = np.random.default_rng(ss)  # what Mesa made of the SeedSequence it used to be handed ...
    mesa_seed = int(legacy.integers(seeding.MESA_SEED_BOUND))  # ... and the one integer it drew from it
    rng_arg = seen[name]
    assert type(rng_arg) is int and rng_arg == mesa_seed == seeding.model_generator(ss)[1]
    assert mesa_seed == pinned_seed
    assert model.random.random() == random.Random(mesa_seed).random()  # Mesa's stdlib generator
    # the model's own generator continues exactly where Mesa's numpy generator stood (results unchanged)
    if built is not None:
        built(model, legacy)
    assert model.rng.bit_generator.state == legacy.bit_generator.state
    assert model.rng.random().hex() == first


def test_a_moran_run_is_pinned_and_ignores_mesas_generators():
    from tournament.models.moran import MoranTask, moran_task

    model = _moran()
    again = _moran()
    again.random = None  # Mesa's stdlib generator plays no part in the run
    a, b = model.run_model(), again.run_model()
    assert (a["fixed"], a["steps"], a["counts"][-1].tolist()) == (1, 6, [0, 6])
    assert np.array_equal(a["counts"], b["counts"])
    c = moran_task(model.ctx, MoranTask(2))
    assert np.array_equal(a["counts"], c["counts"])
