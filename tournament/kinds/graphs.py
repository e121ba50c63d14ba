"""Population structure for the Moran process: networkx graphs from a scenario's description.

A graph is given in ``[tournament.graph]`` as

- a generator name: ``interaction = "cycle"``;
- a generator with parameters: ``interaction = { generator = "small_world", k = 4, p = 0.1 }``;
- an edge list over nodes 0..N−1: ``interaction = { edges = [[0, 1], [1, 2], [2, 0]] }``.

The node count is always the population size N. ``replacement`` (whose neighbours an
offspring may replace) takes the same forms, or ``"interaction"`` (the default: the same
graph) or ``"complete"``. Random generators are seeded from the scenario seed, so the graph
is the same in every run and for every worker count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ..errors import close_matches
from ..scenario import sizes
from ..scenario.validation import Table


def _grid(n: int, rows: int | None = None, cols: int | None = None, periodic: bool = True, seed=None) -> nx.Graph:
    if rows is None and cols is None:
        rows = math.isqrt(n)
        if rows * rows != n:
            raise ValueError(f"a square grid needs a square population size, got {n}; give rows and cols")
    if not rows:
        assert cols, "the grid needs rows or cols"
        rows = n // cols
    cols = cols or n // rows
    if rows * cols != n:
        raise ValueError(f"rows x cols = {rows} x {cols} = {rows * cols} but the population has {n} individuals")
    return nx.grid_2d_graph(rows, cols, periodic=periodic)


# name -> (builder(n, seed, **params), random?)
GENERATORS: dict[str, tuple[Callable[..., nx.Graph], str]] = {
    "complete": (lambda n, seed=None: nx.complete_graph(n), "every pair linked (well-mixed)"),
    "cycle": (lambda n, seed=None: nx.cycle_graph(n), "ring"),
    "star": (lambda n, seed=None: nx.star_graph(n - 1), "hub (node 0) linked to all others"),
    "grid": (_grid, "2-D lattice rows x cols (periodic = true: torus); params rows, cols, periodic"),
    "small_world": (
        lambda n, k=4, p=0.1, seed=None: nx.connected_watts_strogatz_graph(n, k, p, tries=1000, seed=seed),
        "Watts-Strogatz ring of degree k rewired with probability p (connected); params k, p",
    ),
    "scale_free": (
        lambda n, m=2, seed=None: nx.barabasi_albert_graph(n, m, seed=seed),
        "Barabasi-Albert preferential attachment with m edges per new node; param m",
    ),
    "random_regular": (
        lambda n, d=3, seed=None: nx.random_regular_graph(d, n, seed=seed),
        "random d-regular graph; param d",
    ),
    "erdos_renyi": (lambda n, p=0.1, seed=None: nx.gnp_random_graph(n, p, seed=seed), "G(n, p) random graph; param p"),
}


@dataclass(frozen=True)
class GraphSpec:
    """A parsed graph description (picklable); :meth:`build` makes the networkx graph."""

    generator: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    edges: tuple[tuple[int, int], ...] | None = None

    def build(self, n: int, seed: int) -> nx.Graph:
        if self.edges is not None:
            g = nx.Graph()
            g.add_nodes_from(range(n))
            g.add_edges_from(self.edges)
            return g
        assert self.generator is not None  # a spec has a generator or edges
        fn, _ = GENERATORS[self.generator]
        g = fn(n, seed=seed, **dict(self.params))
        return nx.convert_node_labels_to_integers(g, ordering="sorted")

    def to_dict(self) -> dict:
        """JSON-ready form (kept in the scenario settings and summary.json)."""
        if self.edges is not None:
            return {"edges": [list(e) for e in self.edges]}
        return {"generator": self.generator, **dict(self.params)}

    @classmethod
    def from_dict(cls, d: dict) -> GraphSpec:
        if "edges" in d:
            return cls(edges=tuple((int(a), int(b)) for a, b in d["edges"]))
        params = {k: v for k, v in d.items() if k != "generator"}
        return cls(d["generator"], tuple(sorted(params.items())))

    def describe(self) -> str:
        if self.edges is not None:
            return f"edge list ({len(self.edges)} edges)"
        args = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.generator}({args})" if args else str(self.generator)


def parse_graph(value: Any, table: Table, key: str) -> GraphSpec:
    """A graph description from a TOML value (name, generator table or edge list)."""
    if isinstance(value, str):
        if value not in GENERATORS:
            raise table.error(
                f"unknown graph {value!r}." + close_matches(value, GENERATORS) + f" Known: {', '.join(GENERATORS)}", key
            )
        return GraphSpec(value)
    if not isinstance(value, dict):
        raise table.error(f"expected a graph name or a table, got {type(value).__name__} {value!r}", key)
    sub = Table(value, table.key(key), table.source)
    if "edges" in sub:
        edges = sub.get("edges", list)
        ok = all(
            isinstance(e, list)
            and len(e) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in e)
            for e in edges
        )
        if not edges or not ok:
            raise sub.error("expected a non-empty list of [i, j] node pairs (nodes 0..N-1)", "edges")
        sub.finish()
        return GraphSpec(edges=tuple((int(a), int(b)) for a, b in edges))
    name = sub.get("generator", str, choices=list(GENERATORS))
    params = {k: sub.raw(k) for k in list(sub.data) if k != "generator"}
    if "n" in params:
        raise sub.error("the node count is the population size; do not give n", "n")
    return GraphSpec(name, tuple(sorted(params.items())))


def expected_edges(spec: GraphSpec, n: int) -> float:
    """Roughly how many edges ``spec`` has on n nodes (before it is built)."""
    if spec.edges is not None:
        return float(len(spec.edges))
    p = dict(spec.params)

    def num(key, default):
        v = p.get(key, default)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else default

    pairs = n * (n - 1) / 2
    return {
        "complete": pairs,
        "cycle": n,
        "star": n - 1,
        "grid": 2.0 * n,
        "small_world": n * num("k", 4) / 2,
        "scale_free": n * num("m", 2),
        "random_regular": n * num("d", 3) / 2,
        "erdos_renyi": pairs * min(1.0, max(0.0, num("p", 0.1))),
    }.get(spec.generator or "", pairs)


def checked_graph(spec: GraphSpec, n: int, seed: int, table: Table | None, key: str, min_degree: int = 1) -> nx.Graph:
    """Build a graph for N = n individuals and check it (clear errors naming the key). A graph
    too large to build in memory is refused before it is built."""

    def fail(msg):
        if table is None:
            raise ValueError(msg)
        raise table.error(msg, key)

    edges = expected_edges(spec, n)
    need = n * sizes.GRAPH_BYTES + edges * sizes.EDGE_BYTES
    quadratic = spec.generator in ("complete", "erdos_renyi")  # networkx visits every pair
    if need > sizes.available_memory() or n > sizes.MAX_ENTRANTS or (quadratic and n * n > 1e10):
        fail(
            f"graph {spec.describe()} on {n} individuals would have about {edges:.3g} edges "
            f"(~{sizes.human_bytes(need)} of memory{', and every one of the n² pairs visited' if quadratic else ''}); "
            "use a smaller population or a sparser graph"
        )
    try:
        g = spec.build(n, seed)
    except (ValueError, TypeError, OverflowError, nx.NetworkXError) as exc:
        fail(f"cannot build graph {spec.describe()} for {n} individuals: {exc}")
    if spec.edges is not None:
        bad = [e for e in spec.edges if max(e) >= n or e[0] == e[1]]
        if bad:
            fail(f"edge {list(bad[0])} is a self-loop or names a node outside 0..{n - 1}")
    if g.number_of_nodes() != n:
        fail(f"graph {spec.describe()} has {g.number_of_nodes()} nodes but the population has {n} individuals")
    if not nx.is_connected(g):
        fail(f"graph {spec.describe()} is not connected (fixation would depend on the component)")
    low = min(d for _, d in g.degree())
    if low < min_degree:
        fail(
            f"graph {spec.describe()} has a node of degree {low}; each individual needs at least {min_degree} "
            f"neighbour(s) here"
        )
    return g


def neighbour_arrays(g: nx.Graph, n: int) -> list[np.ndarray]:
    """Sorted neighbour indices of every node 0..n−1."""
    return [np.array(sorted(g.neighbors(i)), dtype=np.int64) for i in range(n)]
