"""The batch engine against the limit kernel (issue 11, benchmarks 1d and 1e).

**1e — matches.** ``--matches`` (default 10^4) noisy (0.05) 2-player matches of 200 turns between
random pairs of the deterministic automaton classics on Axelrod's prisoner's dilemma:

- ``ours``: ``tournament.engine.batch.play_automata`` as a tournament calls it: every match seeded on
  its own (engine generator, noise draws) so that the results equal the per-round engine's;
- ``ours, play only``: the same after the per-match seeding and draws (the array loop);
- ``kernel``: the bare numpy loop over rounds, vectorised across the same matches, with the
  noise drawn at once from one generator: state -> action, noise flip, profile -> payoff,
  profile -> next state. Nothing else.

Targets: >= 10^7 stage games/s for ``ours`` and ours within 3x of the kernel.

**1d — random matching.** ``--individuals`` (default 10^6) individuals of 5 deterministic
automaton types, one stage game per pair per round, noise 0.01, ``--rounds`` rounds: ours
(``RandomMatchingModel`` on the batch engine, rounds only; setup reported apart) against the
bare numpy kernel of one round (shuffle into pairs, state -> action, noise flip, profile ->
payoff, per-individual payoff sums, next state). Target: >= 5·10^6 stage games/s.

    PYTHONPATH=. python benchmarks/batch_engine.py [--matches 10000] [--individuals 1000000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
from _common import best_of_each, rate, verdict

import strategies
from tournament import games, seeding
from tournament.engine.batch import _play_vector, _prepare, _Tables, play_automata

CLASSICS = [
    "always_cooperate",
    "always_defect",
    "tit_for_tat",
    "grim",
    "win_stay_lose_shift",
    "tit_for_two_tats",
    "two_tits_for_tat",
    "suspicious_tit_for_tat",
    "alternator",
    "cycler",
    "bully",
]
TYPES = ["tit_for_tat", "win_stay_lose_shift", "always_defect", "grim", "suspicious_tit_for_tat"]


def matches_benchmark(n_matches: int, turns: int, repeats: int) -> None:
    game = games.get("axelrod_pd")
    noise = 0.05
    autos = [[strategies.get(n).automaton(game, s, turns) for s in range(2)] for n in CLASSICS]
    pairs = np.random.default_rng(0).integers(len(CLASSICS), size=(n_matches, 2))
    matches = [[autos[i][0], autos[j][1]] for i, j in pairs.tolist()]
    keys = [seeding.MatchKey(1, m) for m in range(n_matches)]
    prepared = [_prepare(game, m, key, turns, None, noise) for m, key in zip(matches, keys)]

    flat = [a for pair in autos for a in pair]
    tabs = _Tables.of(flat, game.n_profiles)
    start = {id(a): off + a.start for a, off in zip(flat, tabs.offsets)}
    state0 = np.array([[start[id(a)] for a in m] for m in matches])
    flips = np.random.default_rng(2).random((turns, n_matches, 2)) < noise
    table, out0, delta, P = game.payoff_vectors, tabs.out[:, 0], tabs.delta_flat, game.n_profiles

    def kernel():
        state = state0.copy()
        total = np.zeros((n_matches, 2))
        for t in range(turns):
            a = out0[state]
            a ^= flips[t]
            p = a[:, 0] * 2 + a[:, 1]
            total += table[p]
            state = delta[state * P + p[:, None]]
        return total

    stage_games = n_matches * turns
    t = best_of_each(
        {
            "ours": lambda: play_automata(game, matches, keys, turns=turns, noise=noise),
            "play": lambda: _play_vector(game, matches, prepared),
            "kernel": kernel,
        },
        repeats,
    )
    ours, play, bare = t["ours"], t["play"], t["kernel"]
    print(
        f"1e: {n_matches:,} noisy 2-player automaton matches of {turns} turns ({stage_games:,} stage games), "
        f"best of {repeats}"
    )
    print(
        f"  {'ours (seeding + play)':24s} {ours:7.3f} s  {rate(stage_games, ours):>11s}   ours/kernel {ours / bare:5.2f}  "
        f"{verdict(ours / bare, 3)}; rate target >= 1e7/s: "
        f"{'reached' if stage_games / ours >= 1e7 else 'NOT reached'}"
    )
    print(f"  {'ours, play only':24s} {play:7.3f} s  {rate(stage_games, play):>11s}   play/kernel {play / bare:5.2f}")
    print(f"  {'kernel':24s} {bare:7.3f} s  {rate(stage_games, bare):>11s}")


def matching_benchmark(n: int, rounds: int) -> None:
    from tournament.models.random_matching import RandomMatchingModel, context_for
    from tournament.scenario import load_scenario

    n -= n % (2 * len(TYPES))
    sc = {
        "name": "big",
        "seed": 7,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": "random_matching", "turns": rounds + 1, "runs": 1, "noise": 0.01},
        "entrants": [{"strategy": s} for s in TYPES],
    }
    ctx = replace(context_for(load_scenario(sc)), counts=np.full(len(TYPES), n // len(TYPES)))
    t = time.perf_counter()
    model = RandomMatchingModel(ctx, 0)
    setup = time.perf_counter() - t
    assert model.population is not None

    game = ctx.game
    tabs = _Tables.of([strategies.get(s).automaton(game, 0) for s in TYPES], game.n_profiles)
    rng = np.random.default_rng(3)
    state = np.repeat(tabs.offsets + 0, n // len(TYPES))
    paid = np.zeros(n)
    table, out0, delta, P = game.payoff_vectors, tabs.out[:, 0], tabs.delta_flat, game.n_profiles

    def kernel_round():
        pairs = rng.permutation(n).reshape(-1, 2)
        st = state[pairs]
        a = out0[st]
        a ^= rng.random(a.shape) < 0.01
        p = a[:, 0] * 2 + a[:, 1]
        paid[pairs] += table[p]
        seen1 = a[:, 1] * 2 + a[:, 0]  # each individual sees itself in seat 0
        state[pairs[:, 0]] = delta[st[:, 0] * P + p]
        state[pairs[:, 1]] = delta[st[:, 1] * P + seen1]

    ours = bare = 0.0
    for _ in range(rounds):  # in turns, so that a change of load affects both alike
        t = time.perf_counter()
        model.step()
        ours += time.perf_counter() - t
        t = time.perf_counter()
        kernel_round()
        bare += time.perf_counter() - t
    stage_games = rounds * n // 2
    print(
        f"1d: random matching, {n:,} individuals of {len(TYPES)} automaton types, {rounds} rounds "
        f"({stage_games:,} stage games); setup of ours {setup:.2f} s"
    )
    print(
        f"  {'ours (rounds)':24s} {ours:7.3f} s  {rate(stage_games, ours):>11s}   ours/kernel {ours / bare:5.2f}  "
        f"rate target >= 5e6/s: {'reached' if stage_games / ours >= 5e6 else 'NOT reached'}"
    )
    print(f"  {'kernel':24s} {bare:7.3f} s  {rate(stage_games, bare):>11s}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--matches", type=int, default=10_000)
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--individuals", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    matches_benchmark(args.matches, args.turns, args.repeats)
    matching_benchmark(args.individuals, args.rounds)


if __name__ == "__main__":
    main()
