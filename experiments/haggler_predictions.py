"""Seed 001's predictions for infra-Bayesian hagglers, against what the hagglers do.

For every prediction of the seed (the PD with equal, slightly unequal and very unequal
priors; the stag hunt with 2 and 3 players; the Schelling pub; the Schelling order; cake
splitting; the demand game; the sacrifice vote; the grim trap), this plays at least
``--seeds`` matches (default 30, each with its own seed) with random tie-breaking (the
haggler's default) and reports, per setting:

- *observed*: the outcomes — the stable cycle every match ends in (its joint profiles and
  cycle payoffs; ``unsettled`` if none) — and how many matches reached each, and how many
  distinct plays (action logs) the matches produced: 1 means the seed changed nothing;
- *frequency*: the share of matches with the predicted outcome, with its 95% Wilson interval
  (``tournament.analysis.stats.proportion_ci``);
- *mechanism*: for the matches with the predicted outcome (or, if there are none, with the
  most frequent one), the hypothesis class each haggler followed over the cycle
  (``mechanism_i`` of ``matches.csv``; ⊤ = fell back to the maximin hypothesis);
- *verdict*, by a fixed rule: **holds** if the predicted outcome is the majority (Wilson
  lower bound > 1/2), **fails** if it never occurs, **partly** otherwise; "via ⊤" when most
  haggler seats of the predicted outcome ended on ⊤ (the outcome then comes from ⊤'s
  maximin action, not from haggling over passwords). Settings whose prediction is a
  comparison (the Schelling order, very unequal PD) say so in their own rule.

The matches are run by ``tournament.run_scenario`` (round robins, ``--workers`` processes);
nothing is written but the table (Markdown, to stdout or ``--table``) and ``--json``
(optional: per-setting counts and timings). Budget: under 15 minutes on 2 cores.

    PYTHONPATH=. python experiments/haggler_predictions.py --workers 2 --table haggler_predictions.md
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import tournament  # noqa: E402
from tournament.analysis.stats import proportion_ci  # noqa: E402

SHOWN = {"top": "⊤"}


@dataclass
class Outcome:
    """One match's end: the cycle's profiles (canonical rotation) and cycle payoffs."""

    settled: bool
    profiles: tuple[tuple[str, ...], ...] = ()
    payoffs: tuple[float, ...] = ()

    def label(self) -> str:
        if not self.settled:
            return "unsettled"
        prof = " ".join("(" + ",".join(p) + ")" for p in self.profiles)
        if len(self.profiles) > 4:
            prof = f"{len(self.profiles)}-cycle"
        pay = ", ".join(_num(x) for x in self.payoffs)
        return f"{prof} → ({pay})"


def _num(x: float) -> str:
    for den in (1, 2, 3, 4, 6, 12):  # the games' payoffs are simple fractions
        if abs(x * den - round(x * den)) < 1e-9:
            n = round(x * den)
            return str(n) if den == 1 else f"{n}/{den}"
    return f"{x:.3g}"


@dataclass
class Setting:
    name: str
    predicts: str
    scenario: dict
    hit: Callable[[Outcome], bool]
    rule: str = "majority"  # or "abc", "unequal"
    seeds: int = 30
    matches: pd.DataFrame | None = field(default=None, repr=False)
    outcomes: list[Outcome] = field(default_factory=list, repr=False)
    distinct: int = 0  # distinct action logs among the matches (1: the seed did not matter)
    seconds: float = 0.0


def _pair(game: str, a: dict, b: dict, turns: int, seed: int, names=("haggler 1", "haggler 2"), **game_params) -> dict:
    return {
        "name": game,
        "seed": seed,
        "game": {"name": game, "params": game_params},
        "tournament": {"turns": turns},
        "entrants": [
            {"strategy": "ib_haggler", "name": names[0], "params": a},
            {"strategy": "ib_haggler", "name": names[1], "params": b},
        ],
    }


def _three(game: str, params: dict, turns: int, seed: int, **game_params) -> dict:
    return {
        "name": game,
        "seed": seed,
        "game": {"name": game, "params": game_params},
        "tournament": {"turns": turns},
        "entrants": [{"strategy": "ib_haggler", "name": "haggler", "count": 3, "params": params}],
    }


def _vs(game: str, params: dict, other: str, turns: int, seed: int) -> dict:
    return {
        "name": game,
        "seed": seed,
        "game": {"name": game},
        "tournament": {"turns": turns},
        "entrants": [{"strategy": "ib_haggler", "name": "haggler", "params": params}, {"strategy": other}],
    }


def _pays(o: Outcome, *target: float) -> bool:
    return o.settled and np.allclose(o.payoffs, target, atol=1e-9)


def _perm(o: Outcome, *target: float) -> bool:
    return o.settled and np.allclose(sorted(o.payoffs), sorted(target), atol=1e-9)


def _only(o: Outcome, allowed: set, need: set) -> bool:
    ps = set(o.profiles)
    return o.settled and ps <= allowed and need <= ps


def settings() -> list[Setting]:
    amb, cau, dflt = {"prior": "ambitious"}, {"prior": "cautious"}, {"prior": "default"}
    cc_cd = {("C", "C"), ("C", "D"), ("D", "C")}
    return [
        Setting(
            "PD, equal priors (ambitious × 2)",
            "tends to (C,C)",
            _pair("prisoners_dilemma", amb, amb, 8000, 201),
            lambda o: _pays(o, 2, 2),
        ),
        Setting(
            "PD, slightly unequal weights (password mass 0.7 vs 0.9)",
            "(C,C)/(C,D) mixture",
            _pair("prisoners_dilemma", {**amb, "password_mass": 0.7}, amb, 8000, 202),
            lambda o: _only(o, cc_cd, {("C", "C")}) and len(set(o.profiles)) > 1,
        ),
        Setting(
            "PD, slightly unequal spaces (N = 7 vs 8)",
            "(C,C)/(C,D) mixture",
            _pair("prisoners_dilemma", {**amb, "max_password": 7}, amb, 8000, 203),
            lambda o: _only(o, cc_cd, {("C", "C")}) and len(set(o.profiles)) > 1,
        ),
        Setting(
            "PD, very unequal (cautious vs ambitious)",
            "(1,1) or (1,2.5); (1,1) likelier",
            _pair("prisoners_dilemma", cau, amb, 8000, 204, names=("cautious", "ambitious")),
            lambda o: _pays(o, 1, 1),
            rule="unequal",
        ),
        Setting(
            "Stag hunt, 2 players (default × 2)",
            "all-Stag",
            _pair("stag_hunt", dflt, dflt, 1000, 205),
            lambda o: _pays(o, 3, 3),
        ),
        Setting(
            "Stag hunt, 2 players (cautious × 2)",
            "all-Stag",
            _pair("stag_hunt", cau, cau, 1000, 206),
            lambda o: _pays(o, 3, 3),
        ),
        Setting(
            "Stag hunt, 3 players (default × 3)",
            "all-Stag",
            _three("stag_hunt", dflt, 1000, 207, players=3),
            lambda o: _pays(o, 3, 3, 3),
        ),
        Setting(
            "Schelling pub (default × 2)",
            "Pareto-optimal alternation",
            _pair("schelling_pub", dflt, dflt, 6000, 208),
            lambda o: _only(o, {("X", "X"), ("Y", "Y")}, {("X", "X"), ("Y", "Y")}),
        ),
        Setting(
            "Schelling pub (ambitious × 2)",
            "Pareto-optimal alternation",
            _pair("schelling_pub", amb, amb, 6000, 209),
            lambda o: _only(o, {("X", "X"), ("Y", "Y")}, {("X", "X"), ("Y", "Y")}),
        ),
        Setting(
            "Schelling order (default × 3)",
            "simple orderings (ABC) likelier",
            _three("schelling_order", dflt, 2000, 210),
            lambda o: _only(o, {("ABC",) * 3}, {("ABC",) * 3}),
            rule="abc",
        ),
        Setting(
            "Cake splitting (default × 3)",
            "a pair locks in at (5/12, 5/12, 0)",
            _three("cake_splitting", dflt, 3000, 211),
            lambda o: _perm(o, 5 / 12, 5 / 12, 0) and len(o.profiles) == 1,
        ),
        Setting(
            "Demand game (default × 3)",
            "(2,2,0), not Pareto-optimal",
            _three("demand_3p", dflt, 3000, 212),
            lambda o: _pays(o, 2, 2, 0),
        ),
        Setting(
            "Demand game (cautious × 3)",
            "(2,2,0), not Pareto-optimal",
            _three("demand_3p", cau, 3000, 213),
            lambda o: _pays(o, 2, 2, 0),
        ),
        Setting(
            "Demand game (ambitious × 3)",
            "(2,2,0), not Pareto-optimal",
            _three("demand_3p", amb, 3000, 214),
            lambda o: _pays(o, 2, 2, 0),
        ),
        Setting(
            "Sacrifice vote (default × 3)",
            "a coalition of two sacrifices the third: (1,1,0)",
            _three("sacrifice_vote", dflt, 3000, 215),
            lambda o: _perm(o, 1, 1, 0) and len(o.profiles) == 1,
        ),
        Setting(
            "Grim trap (default haggler vs grim)",
            "trap: stuck at (D,D) = 1 < V(grim) = 2",
            _vs("prisoners_dilemma", dflt, "grim", 3000, 216),
            lambda o: _pays(o, 1, 1),
        ),
        Setting(
            "Grim trap (ambitious haggler vs grim)",
            "trap: stuck at (D,D) = 1 < V(grim) = 2",
            _vs("prisoners_dilemma", amb, "grim", 8000, 217),
            lambda o: _pays(o, 1, 1),
        ),
    ]


def _matches_per_repetition(scenario: dict) -> int:
    from tournament.kinds.round_robin import seatings
    from tournament.scenario import load_scenario

    sc = load_scenario(scenario)
    return len(
        seatings(len(sc.populations[0].entrants), sc.game.n_players, sc.game.is_symmetric, sc.settings["self_play"])
    )


def run(setting: Setting, workers: int, min_matches: int, tie_break: str = "random") -> None:
    per = _matches_per_repetition(setting.scenario)
    reps = -(-min_matches // per)
    sc = dict(setting.scenario)
    sc["tournament"] = dict(sc["tournament"], repetitions=reps)
    sc["entrants"] = [
        dict(e, params={**e.get("params", {}), "tie_break": tie_break}) if e["strategy"] == "ib_haggler" else e
        for e in sc["entrants"]
    ]
    sc["report"] = {"traces": reps}  # keep every match's actions to name the cycle's profiles
    started = time.perf_counter()
    res = tournament.run_scenario(sc, workers=workers)
    setting.seconds = time.perf_counter() - started
    (kind,) = res.populations.values()
    game = res.scenario.game
    setting.matches = res.matches
    setting.outcomes = [_outcome(game, row, kind.rounds.get(int(row.match_id))) for row in res.matches.itertuples()]
    setting.distinct = len({np.asarray(r["actions"]).tobytes() for r in kind.rounds.values()})


def _outcome(game, row, rounds) -> Outcome:
    if not bool(row.settled):
        return Outcome(False)
    k = game.n_players
    p, t0 = int(row.cycle_period), int(row.cycle_onset)
    acts = np.asarray(rounds["actions"])[t0 : t0 + p]
    profs = [tuple(game.actions[i][int(a)] for i, a in enumerate(r)) for r in acts.tolist()]
    j = min(range(p), key=lambda s: profs[s:] + profs[:s])  # canonical rotation
    pays = tuple(float(getattr(row, f"cycle_payoff_{i}")) for i in range(k))
    return Outcome(True, tuple(profs[j:] + profs[:j]), pays)


def _mechanism(row, k: int) -> str:
    out = []
    for i in range(k):
        v = getattr(row, f"mechanism_{i}", "")
        v = "" if not isinstance(v, str) else v
        out.append(">".join(SHOWN.get(x, x) for x in v.split(">")) if v else "–")
    return "·".join(out)


def _ends_on_top(row, k: int) -> tuple[int, int]:
    on, n = 0, 0
    for i in range(k):
        v = getattr(row, f"mechanism_{i}", "")
        if isinstance(v, str) and v and v != "unsettled":
            n += 1
            on += v.split(">")[-1] == "top"
    return on, n


def summarise(s: Setting) -> dict:
    m, outs = s.matches, s.outcomes
    k = len([c for c in m.columns if c.startswith("cycle_payoff_")])
    n = len(outs)
    labels = Counter(o.label() for o in outs)
    hits = [s.hit(o) for o in outs]
    h = sum(hits)
    est, lo, hi = proportion_ci(h, n)
    rows = list(m.itertuples())
    focus = [r for r, x in zip(rows, hits) if x]
    focus_label = "predicted"
    if not focus:  # describe the most frequent outcome instead
        top_label = labels.most_common(1)[0][0]
        focus = [r for r, o in zip(rows, outs) if o.label() == top_label]
        focus_label = top_label
    mech = Counter(_mechanism(r, k) for r in focus)
    on, seats = map(sum, zip(*(_ends_on_top(r, k) for r in focus))) if focus else (0, 0)
    via_top = seats > 0 and on > seats / 2
    if s.rule == "abc":
        coordinated = [o for o in outs if o.settled and len(o.profiles) == 1 and len(set(o.profiles[0])) == 1]
        _, clo, chi = proportion_ci(h, len(coordinated))
        verdict = (
            "holds" if clo > 1 / 6 else "fails" if chi < 1 / 6 else "not shown"
        ) + f": ABC in {h}/{len(coordinated)} coordinated matches, [{clo:.2f}, {chi:.2f}] against 1/6 for no preference"
    elif s.rule == "unequal":
        other = sum(_pays(o, 1, 2.5) for o in outs)
        verdict = ("holds" if lo > 0.5 else "fails" if h == 0 else "partly") + f": (1,1) in {h}, (1,2.5) in {other}"
    else:
        verdict = "holds" if lo > 0.5 else "fails" if h == 0 else "partly"
    if via_top and h:
        verdict += f", via ⊤ ({on} of {seats} haggler seats end on ⊤)"
    by_outcome = {}
    for r, o in zip(rows, outs):
        by_outcome.setdefault(o.label(), Counter())[_mechanism(r, k)] += 1
    return {
        "setting": s.name,
        "predicts": s.predicts,
        "n": n,
        "distinct": s.distinct,
        "hits": h,
        "freq": est,
        "mechanism_by_outcome": {lab: dict(c.most_common()) for lab, c in by_outcome.items()},
        "lo": lo,
        "hi": hi,
        "observed": labels.most_common(),
        "mechanism": mech.most_common(),
        "mechanism_of": focus_label,
        "top_seats": [on, seats],
        "verdict": verdict,
        "seconds": round(s.seconds, 1),
    }


def markdown(rows: list[dict]) -> str:
    head = "| setting | seed predicts | observed (matches) | frequency of the prediction | mechanism | verdict |"
    out = [head, "|---|---|---|---|---|---|"]
    for r in rows:
        obs = "; ".join(f"{lab}: {c}" for lab, c in r["observed"][:4])
        if len(r["observed"]) > 4:
            obs += f"; {len(r['observed']) - 4} other outcomes: {sum(c for _, c in r['observed'][4:])}"
        obs += f" ({r['distinct']} distinct plays)"
        mech = ", ".join(f"{lab} {c}" for lab, c in r["mechanism"][:3])
        if r["mechanism_of"] != "predicted":
            mech = f"(of {r['mechanism_of'].split(' → ')[0]}) " + mech
        freq = f"{r['hits']}/{r['n']} = {r['freq']:.2f} [{r['lo']:.2f}, {r['hi']:.2f}]"
        cells = [r["setting"], r["predicts"], obs, freq, mech, r["verdict"]]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def markdown_short(rows: list[dict]) -> str:
    """The same rows, four columns (for the README)."""
    out = ["| setting | seed predicts | frequency of the prediction | verdict |", "|---|---|---|---|"]
    for r in rows:
        freq = f"{r['hits']}/{r['n']} [{r['lo']:.2f}, {r['hi']:.2f}]"
        cells = [r["setting"], r["predicts"], freq, r["verdict"]]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=30, help="at least this many matches per setting")
    ap.add_argument("--only", default="", help="run only the settings whose name contains this text")
    ap.add_argument(
        "--tie-break",
        default="random",
        choices=["random", "first"],
        help='the hagglers\' tie_break ("first": the behaviour before random tie-breaking)',
    )
    ap.add_argument("--table", type=Path, help="write the Markdown table here (default: stdout)")
    ap.add_argument("--json", type=Path, help="write per-setting counts and timings here")
    ap.add_argument("--short", type=Path, help="also write the four-column version of the table here")
    args = ap.parse_args(argv)
    load0 = os.getloadavg()
    started = time.perf_counter()
    rows = []
    for s in settings():
        if args.only and args.only.lower() not in s.name.lower():
            continue
        run(s, args.workers, args.seeds, args.tie_break)
        rows.append(summarise(s))
        print(f"{s.name}: {rows[-1]['verdict']} ({s.seconds:.0f} s)", file=sys.stderr, flush=True)
    wall = time.perf_counter() - started
    load1 = os.getloadavg()
    table = markdown(rows)
    foot = (
        f"\n\n{len(rows)} settings, {sum(r['n'] for r in rows)} matches, tie_break = {args.tie_break!r}, "
        f"{args.workers} workers, "
        f"{wall / 60:.1f} min wall time; load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end "
        f"({os.cpu_count()} CPUs)."
    )
    if args.short:
        args.short.write_text(markdown_short(rows) + foot + "\n")
    if args.table:
        args.table.write_text(table + foot + "\n")
    else:
        print(table + foot)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"rows": rows, "wall_seconds": wall, "workers": args.workers, "load": [load0, load1]},
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
