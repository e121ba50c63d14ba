"""The import graph of ``tournament`` and ``strategies`` flows one way (docs/architecture.md).

Every module is parsed with ``ast`` (no module is imported); its imports — at module level and
inside functions, relative ones resolved, plus the modules named in the string tables handed to
``tournament.plugins`` (lazy package exports, kind and report-section plugin lists) — become edges
of a directed graph. A module may import only modules of its own layer or of lower layers, and
the graph has no cycle.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tournament", "strategies")

#: Layers, lowest first. A module belongs to the layer of the longest prefix listed; it may import
#: its own layer and the layers before it. One entry per line says why it sits where it does.
LAYERS: list[tuple[str, ...]] = [
    # leaves: exceptions, the plugin loader and JSON values import nothing of ours
    ("tournament.errors", "tournament.plugins", "tournament.jsonable"),
    # a game and its derived facts; every seed
    ("tournament.game", "tournament.seeding"),
    # the read-only view of a match handed to strategies; the library of games
    ("tournament.view", "tournament.games"),
    # exact maths (dynamics, multisets, softmax, regret): pure functions of a game
    ("tournament.theory",),
    # strategies see only the layers above (never the engine, the kinds or pandas)
    ("strategies",),
    # one match as a Mesa model
    ("tournament.engine",),
    # the strategy author's test kit plays matches, so it sits above the engine
    ("strategies.testing",),
    # per-match analysis columns, standings and the statistics of the rates
    ("tournament.analysis",),
    # what a scenario is (its types and typed keys) and the size formulas the kinds use
    ("tournament.scenario.spec", "tournament.scenario.validation", "tournament.scenario.sizes"),
    # a results folder: its files, written and read back (the checkpoint and the match stream
    # of the layers below write into it)
    ("tournament.output",),
    # the unit of work, where it runs, the checkpoint, the options of a run
    ("tournament.execution",),
    # the tournament kinds (light declarations) and the Mesa models that run them
    ("tournament.kinds", "tournament.models"),
    # loading a scenario file: each kind parses its own keys, and the whole run's budget is
    # checked over the kinds' estimates
    ("tournament.scenario",),
    # the report: the section framework, the section modules, the report writers
    ("tournament.report",),
    # the entry points: run a scenario, compare scenario files, the live view, the command line
    ("tournament.runner", "tournament.compare"),
    ("tournament.live",),
    # the package itself re-exports names from every layer (lazily, PEP 562); "=" means this
    # module only, not the modules under it
    ("tournament.cli", "tournament.__main__", "=tournament"),
]


def _module_files() -> dict[str, tuple[Path, bool]]:
    mods = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            if is_pkg:
                parts.pop()
            mods[".".join(parts)] = (path, is_pkg)
    return mods


MODULES = _module_files()


def _resolve(name: str) -> str | None:
    """The module of ours that importing ``name`` loads last (longest known prefix)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


MODULE_REF = re.compile(r"^\.?[A-Za-z_][\w.]*(:\w+)?$")


def _typing_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (annotations only: never executed)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return out


def imports_of(module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, typing only) for every import in ``module``, at any depth."""
    path, is_pkg = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_pkg else module.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []
    typing_only = _typing_only(tree)
    uses_plugins = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(t, node.lineno, id(node) in typing_only) for a in node.names if (t := _resolve(a.name))]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                full = ".".join(base + ([node.module] if node.module else []))
            else:
                full = node.module or ""
            if full == "tournament.plugins" or full.endswith(".plugins") and _resolve(full) == "tournament.plugins":
                uses_plugins = True
            for alias in node.names:
                sub = f"{full}.{alias.name}"
                target = sub if sub in MODULES else _resolve(full)
                if target:
                    found.append((target, node.lineno, id(node) in typing_only))
    if uses_plugins:
        # modules imported by name through tournament.plugins: lazy exports (".engine.match"),
        # plugin lists ("tournament.kinds.moran") and lazy functions ("tournament.models.moran:run")
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_REF.match(node.value):
                text = node.value.split(":")[0]
                name = f"{package}{text}" if text.startswith(".") else text
                if name in MODULES:
                    found.append((name, node.lineno, False))
    return [(t, line, typed) for t, line, typed in found if t != module]


def layer_of(module: str) -> int:
    best, best_len = None, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if prefix.startswith("="):
                if module == prefix[1:]:
                    return index
                continue
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best is not None, f"{module} is in no layer of tests/test_import_graph.py"
    return best


def graph(typing_only: bool = True) -> nx.DiGraph:
    """The import graph; each edge keeps the line of its first import. ``typing_only=False``
    leaves out the imports made only for annotations (under ``if TYPE_CHECKING:``)."""
    g = nx.DiGraph()
    g.add_nodes_from(MODULES)
    for module in MODULES:
        for target, line, typed in sorted(imports_of(module), key=lambda x: x[1]):
            if (typing_only or not typed) and not g.has_edge(module, target):
                g.add_edge(module, target, line=line)
    return g


def where(module: str, line: int) -> str:
    return f"{MODULES[module][0].relative_to(ROOT)}:{line}"


def test_the_parser_sees_function_level_and_relative_imports():
    # known facts of the tree, so that the graph test below cannot pass vacuously
    g = graph()
    assert g.number_of_nodes() > 60 and g.number_of_edges() > 200
    assert g.has_edge("tournament.engine.match", "tournament.view")
    assert g.has_edge("tournament", "tournament.runner")  # a lazy export
    assert g.has_edge("tournament.kinds", "tournament.kinds.moran")  # a plugin list
    assert g.has_edge("tournament.kinds.moran", "tournament.models.moran")  # a lazy function
    assert g.has_edge("tournament.kinds.moran", "tournament.execution.records")  # inside a function
    assert g.has_edge("tournament.execution.executor", "tournament.execution.options")  # TYPE_CHECKING
    assert not graph(typing_only=False).has_edge("tournament.execution.executor", "tournament.execution.options")


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_upward_import():
    g = graph()  # annotations too: a type from a higher layer is a dependency on it
    upward = [
        f"{where(src, data['line'])}: {src} (layer {layer_of(src)}) imports {dst} (layer {layer_of(dst)})"
        for src, dst, data in g.edges(data=True)
        if layer_of(dst) > layer_of(src)
    ]
    assert not upward, "upward imports (see the layers in tests/test_import_graph.py):\n" + "\n".join(sorted(upward))


def test_no_import_cycle():
    # an import made only for annotations never runs, so it cannot take part in a cycle (it is
    # still held to the layers above)
    g = graph(typing_only=False)
    cycles = []
    for component in nx.strongly_connected_components(g):
        if len(component) > 1:
            cycle = nx.find_cycle(g.subgraph(component))
            cycles.append(
                " -> ".join(f"{a} ({where(a, g.edges[a, b]['line'])})" for a, b in cycle) + f" -> {cycle[0][0]}"
            )
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


# every built-in strategy module too (the registry imports them all): none needs the framework
@pytest.mark.parametrize(
    "statement", ["import strategies", "import strategies; strategies.names()", "import tournament"]
)
def test_importing_the_light_packages_stays_light(statement):
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in out.splitlines() if line.startswith("import time:")}
    assert "strategies" in loaded or "tournament" in loaded
    heavy = sorted(
        name
        for name in loaded
        if name.split(".")[0] in {"pandas", "scipy", "mesa", "matplotlib", "networkx"}
        or name.startswith(("tournament.kinds", "tournament.models", "tournament.engine", "tournament.execution"))
    )
    assert not heavy, f"{statement!r} loads {heavy}"


def test_the_layers_order_the_pipeline():
    order = [
        "tournament.errors",
        "tournament.game",
        "strategies.classics",
        "tournament.engine.match",
        "tournament.analysis.standings",
        "tournament.output.summary",
        "tournament.execution.tasks",
        "tournament.models.moran",
        "tournament.scenario.load",
        "tournament.report.matches",
        "tournament.runner",
        "tournament.cli",
    ]
    layers = [layer_of(m) for m in order]
    assert layers == sorted(layers) and len(set(layers)) == len(layers)
    assert layer_of("tournament") == layer_of("tournament.cli") > layer_of("tournament.theory.moran")
