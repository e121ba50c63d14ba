"""Smoke test of the speed benchmarks: each runs at a tiny size and prints its figures.
(Speed is measured by running them at full size, never here.)"""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"

CASES = {
    "match_vs_axelrod": (["--turns", "300", "--repeats", "1"], ["tit_for_tat vs random", "stage games/s"]),
    "round_robin_vs_axelrod": (
        ["--turns", "10", "--repetitions", "1", "--repeats", "1", "--axelrod-processes", "none"],
        ["end to end", "engine only", "target"],
    ),
    "mixed_round_robin": (["--turns", "3", "--repetitions", "1"], ["52 entrants", "ours", "stage games"]),
    "batch_engine": (
        ["--matches", "40", "--turns", "15", "--individuals", "300", "--rounds", "2", "--repeats", "1"],
        ["1e:", "kernel", "1d:", "ours/kernel"],
    ),
    "memory_match": (["--turns", "2000", "--before", "none"], ["engine", "end to end", "peak MB"]),
    "memory_round_robin": (
        ["--entrants", "6", "--repetitions", "1,2", "--turns", "5", "--before", "none"],
        ["round robin of 6 entrants", "growth per extra match"],
    ),
}


def _load(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_benchmark_runs_at_a_tiny_size_and_prints_its_figures(name, capsys):
    argv, expected = CASES[name]
    _load(name).main(argv)
    out = capsys.readouterr().out
    for text in expected:
        assert text in out, (text, out)
    assert any(ch.isdigit() for ch in out)


def test_every_speed_benchmark_is_smoke_tested():
    scripts = {p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_")}
    # smoke-tested elsewhere (the parity sweep by tests/test_axelrod_parity.py) or slow by nature
    others = {
        "haggler_scaling",
        "moran_vs_axelrod",
        "random_matching_population",
        "scaling_round_robin",
        "axelrod_parity_sweep",
    }
    assert scripts - others == set(CASES)
