"""Plotting helpers shared by the report sections (matplotlib's object API, no pyplot
state, so reports can be built in worker threads or processes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..game import Game


def figure(width: float = 7.0, height: float = 4.0, **kw) -> Figure:
    return Figure(figsize=(width, height), layout="constrained", **kw)


def save(fig: Figure, path: Path, dpi: int = 110) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def hull_polygon(points: np.ndarray) -> np.ndarray:
    """Vertices of the 2-D convex hull of ``points`` in counter-clockwise order (a segment
    or a point when the points are degenerate)."""
    from scipy.spatial import ConvexHull, QhullError

    pts = np.unique(np.asarray(points, dtype=float), axis=0)
    if len(pts) >= 3:
        try:
            hull = ConvexHull(pts)
            return pts[hull.vertices]
        except QhullError:
            pass
    # collinear: the two extreme points along the principal direction
    if len(pts) <= 1:
        return pts
    d = pts - pts.mean(axis=0)
    direction = np.linalg.svd(d, full_matrices=False)[2][0]
    proj = d @ direction
    return pts[[int(np.argmin(proj)), int(np.argmax(proj))]]


def draw_feasible_region(ax, game: Game, i: int = 0, j: int = 1, label_profiles: bool = True) -> None:
    """The feasible payoff set of players i and j (the projection of the convex hull of the
    pure payoff vectors), its Pareto frontier (for 2-player games), and the pure profiles."""
    from ..analysis.pareto import pareto_frontier_2d

    V = game.payoff_vectors[:, [i, j]]
    poly = hull_polygon(V)
    if len(poly) >= 3:
        ax.fill(poly[:, 0], poly[:, 1], color="#dfe8f3", zorder=0, label="feasible payoffs")
        closed = np.vstack([poly, poly[:1]])
        ax.plot(closed[:, 0], closed[:, 1], color="#9bb3cf", lw=1, zorder=1)
    elif len(poly) == 2:
        ax.plot(poly[:, 0], poly[:, 1], color="#9bb3cf", lw=3, zorder=1, label="feasible payoffs")
    if game.n_players == 2:
        front = pareto_frontier_2d(game)
        ax.plot(
            front[:, 0],
            front[:, 1],
            color="#1b7837",
            lw=2.5,
            zorder=2,
            label="Pareto frontier",
            marker="o" if len(front) == 1 else None,
        )
    span = V.max(axis=0) - V.min(axis=0)
    scale = np.where(span > 0, span, 1.0)
    labelled = label_profiles and game.n_profiles <= 27
    if labelled:
        seen: dict[tuple, list[str]] = {}
        for prof in game.profiles():
            v = tuple(np.round(game.payoffs[prof][[i, j]], 9))
            seen.setdefault(v, []).append(game.label(prof))
        centre = V.mean(axis=0)
        for (x, y), labels in seen.items():
            # away from the region's centre, so that the label sits outside the feasible region,
            # clear of the outcome markers (which are feasible points, at most ~8 pt in radius)
            d = (np.array([x, y]) - centre) / scale
            norm = float(np.hypot(*d))
            d = d / norm if norm > 1e-9 else np.array([0.7071, 0.7071])
            ax.annotate(
                "/".join(labels[:2]) + ("…" if len(labels) > 2 else ""),
                (x, y),
                fontsize=7,
                color="#555555",
                xytext=(12 * d[0], 12 * d[1]),
                textcoords="offset points",
                zorder=3,
                ha="left" if d[0] > 0.35 else "right" if d[0] < -0.35 else "center",
                va="bottom" if d[1] > 0.35 else "top" if d[1] < -0.35 else "center",
            )
    names = game.players
    ax.set_xlabel(f"payoff of player {i} ({names[i]})" if names[i] != str(i) else f"payoff of player {i}")
    ax.set_ylabel(f"payoff of player {j} ({names[j]})" if names[j] != str(j) else f"payoff of player {j}")
    pad = (0.16 if labelled else 0.08) * scale
    ax.set_xlim(V[:, 0].min() - pad[0], V[:, 0].max() + pad[0])
    ax.set_ylim(V[:, 1].min() - pad[1], V[:, 1].max() + pad[1])
