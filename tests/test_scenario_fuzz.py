"""Fuzzing scenario files: whatever a scenario file holds — hostile names, absurd numbers,
wrong types, deep nesting, broken bytes — ``tournament run`` either runs it or exits with
status 2 and one message, never a traceback, and writes nothing outside ``--out``.

Generated files start from a small valid scenario of a random kind and get a few mutations
(values from pools of edge cases: names that try to leave the folder or carry markup and
control characters, 0, −1, 10^12, 2^63−1, NaN, ±inf, 1e308, wrong types) and sometimes
byte-level damage. Values are either small or absurd, never merely large, so that every
file that is accepted runs in well under a second.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tournament.cli import main


# ------------------------------------------------------------------ a small TOML writer
def _key(k: str) -> str:
    return _str(str(k))


def _str(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(data: dict) -> str:
    """Top-level keys first, then one [table] per dict, [[array]] per list of dicts."""
    lines, later = [], []
    for k, v in data.items():
        if isinstance(v, dict):
            later.append(f"[{_key(k)}]")
            later += [f"{_key(a)} = {_value(b)}" for a, b in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                later.append(f"[[{_key(k)}]]")
                later += [f"{_key(a)} = {_value(b)}" for a, b in item.items()]
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    return "\n".join(lines + later) + "\n"


# ------------------------------------------------------------------ generated scenarios
NAMES = [
    "..",
    ".",
    "../../x",
    "/etc/passwd",
    "a/b",
    "a b",
    "A B",
    "<script>alert(1)</script>",
    "$\\frac{1}{0}$",
    "nul\x00",
    "bidi\u202etxt",
    "zw\u200bj",
    "line\nbreak",
    "",
    " ",
    "x" * 300,
    "ok",
    "report.md",
    ".checkpoint",
    "café",
    "tit_for_tat",
    "![i](/etc/x.png)",
]
NUMBERS = [
    0,
    1,
    2,
    3,
    -1,
    10**12,
    2**63 - 1,
    -(2**63),
    0.5,
    1e-9,
    1e-320,
    1e308,
    -1e308,
    1e300,
    math.nan,
    math.inf,
    -math.inf,
    True,
    "3",
    [],
    {},
]
SMALL = [1, 2, 3]

KINDS = {
    "round_robin": {"turns": 3},
    "ecological": {"turns": 3, "generations": 3, "bootstrap": 5},
    "replicator": {"turns": 3, "generations": 3, "bootstrap": 5},
    "moran": {"turns": 3, "runs": 2, "max_generations": 3},
    "random_matching": {"turns": 3, "runs": 2},
}
KEYS = [
    "turns",
    "prob_end",
    "noise",
    "repetitions",
    "time_limit",
    "on_error",
    "generations",
    "max_generations",
    "runs",
    "population_size",
    "shares",
    "selection_intensity",
    "tolerance",
    "mutation",
    "step",
    "record_every",
    "self_play",
    "bootstrap",
    "background_fitness",
    "fitness",
    "update",
    "kind",
    "backend",
    "scheduler",
    "cache_deterministic",
    "normalize",
]
STRATEGIES = [
    "tit_for_tat",
    "grim",
    "random",
    "always_defect",
    "alternator",
    "no_such",
    "file.py:X",
    "os:system",
    "../x.py:Y",
    "axelrod:Cooperator",
    "switcher",
]


@st.composite
def scenarios(draw) -> bytes:
    kind = draw(st.sampled_from(list(KINDS)))
    data: dict = {
        "name": "fuzz",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"kind": kind, **KINDS[kind]},
        "report": {"plots": False},
    }
    pops = draw(st.booleans())
    ents = [{"strategy": "tit_for_tat", "count": 2}, {"strategy": "always_defect"}]
    if pops:
        data["populations"] = [
            {"name": "p1", "entrants": [dict(e) for e in ents]},
            {"name": "p2", "entrants": [dict(e) for e in ents]},
        ]
    else:
        data["entrants"] = ents
    any_value = st.sampled_from(NUMBERS + NAMES)
    for _ in range(draw(st.integers(0, 3))):
        what = draw(
            st.sampled_from(
                [
                    "tournament",
                    "tournament",
                    "name",
                    "entrant",
                    "population",
                    "game",
                    "report",
                    "analysis",
                    "sweep",
                    "graph",
                    "deep",
                    "top",
                ]
            )
        )
        if what == "tournament":
            data["tournament"][draw(st.sampled_from(KEYS))] = draw(any_value)
        elif what == "name":
            data[draw(st.sampled_from(["name", "description"]))] = draw(st.sampled_from(NAMES))
        elif what == "entrant":
            target = (
                data["populations"][0]["entrants"]
                if pops and isinstance(data.get("populations"), list)
                else data.get("entrants")
            )
            if not isinstance(target, list) or not target:
                continue
            e = target[draw(st.integers(0, len(target) - 1))]
            field = draw(st.sampled_from(["name", "count", "strategy", "params"]))
            e[field] = draw(
                {
                    "name": st.sampled_from(NAMES),
                    "count": st.sampled_from(SMALL + NUMBERS[3:8]),
                    "strategy": st.sampled_from(STRATEGIES),
                    "params": st.fixed_dictionaries({}, optional={"p": any_value, "x": any_value}),
                }[field]
            )
        elif what == "population" and pops and isinstance(data.get("populations"), list):
            data["populations"][draw(st.integers(0, 1))]["name"] = draw(st.sampled_from(NAMES))
        elif what == "game":
            if draw(st.booleans()):
                data["game"] = {
                    "name": draw(st.sampled_from(["prisoners_dilemma", "chicken", "nope", "demand_3p"])),
                    "params": draw(st.fixed_dictionaries({}, optional={"T": any_value, "R": any_value})),
                }
            else:
                v = draw(st.sampled_from([3, 1e308, math.nan, -1e16, "x", 0]))
                data["game"] = {
                    "actions": [["C", draw(st.sampled_from(NAMES))], ["C", "D"]],
                    "payoffs": [[[3, 3], [0, v]], [[v, 0], [1, 1]]],
                }
        elif what == "report":
            data["report"][draw(st.sampled_from(["traces", "plots", "title"]))] = draw(any_value)
        elif what == "analysis":
            data["analysis"] = {
                draw(st.sampled_from(["cycle_min_repeats", "cycle_min_tail", "coalition_outsiders"])): draw(any_value)
            }
        elif what == "sweep":
            path = draw(st.sampled_from(["entrants[0].count", "entrants[*].params.p", "entrants[9].count", "bad"]))
            data["sweep"] = {
                path: draw(
                    st.sampled_from([[1, 2], [1, 1], [], ["a b", "a/b"], [0.1, 0.1000000001], list(range(1, 4))])
                )
            }
        elif what == "graph":
            data["tournament"]["graph"] = {
                "interaction": draw(
                    st.sampled_from(
                        [
                            "cycle",
                            "complete",
                            "grid",
                            "nope",
                            {"generator": "small_world", "k": 10**12},
                            {"edges": [[0, 1], [1, 5]]},
                            {"generator": "random_regular", "d": -1},
                        ]
                    )
                )
            }
        elif what == "deep":
            depth = draw(st.sampled_from([40, 3000]))
            data["x"] = {"y": "[" * depth}  # replaced by a real nesting below
        else:
            data[draw(st.sampled_from(["extra", "seed", "entrants", "populations"]))] = draw(any_value)
    text = to_toml(data)
    if "x" in data:
        depth = len(data["x"]["y"])
        text = text.replace(_value(data["x"]["y"]), "[" * depth + "]" * depth)
    raw = text.encode("utf-8")
    damage = draw(st.sampled_from(["none"] * 6 + ["truncate", "byte", "latin1"]))
    if damage == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "byte":
        i = draw(st.integers(0, max(0, len(raw) - 1)))
        raw = raw[:i] + bytes([draw(st.integers(0, 255))]) + raw[i + 1 :]
    elif damage == "latin1":
        raw = raw.replace(b"fuzz", "f\u00fczz".encode("latin-1"))
    return raw


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_any_scenario_file_runs_or_is_one_message_and_nothing_leaves_out(raw):
    with tempfile.TemporaryDirectory() as tmp:
        jail = Path(tmp)
        work = jail / "work"
        work.mkdir()
        (work / "s.toml").write_bytes(raw)
        err, here = io.StringIO(), os.getcwd()
        os.chdir(work)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["run", "s.toml", "--out", "out", "--quiet"])
        finally:
            os.chdir(here)
        text = err.getvalue()
        assert "Traceback" not in text, text
        assert code in (0, 2), (code, text)
        if code == 2:
            lines = [ln for ln in text.splitlines() if ln and not ln.startswith("warning:")]
            assert lines and lines[0].startswith("error: ") and all(ln.startswith("  ") for ln in lines[1:]), text
        else:
            assert (work / "out" / "summary.json").is_file()
        assert sorted(p.name for p in jail.iterdir()) == ["work"]
        assert set(p.name for p in work.iterdir()) <= {"s.toml", "out"}
