"""The live view's charts as matplotlib figures (``matplotlib.figure.Figure``, no pyplot: the
page draws from several threads). Each function takes plain data, so the charts are tested
without Solara or a browser.

Names from the scenario file are shown as plain text: :func:`text` keeps matplotlib from
reading ``$...$`` in them as mathematics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

SIZE = (5.6, 3.6)


def text(s: object) -> str:
    """A label shown verbatim (no mathtext)."""
    return str(s).replace("$", r"\$")


def colours(n: int) -> list:
    """One colour per type / entrant / action, the same in every chart of a page."""
    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def _figure(size=SIZE) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=100, layout="constrained")
    return fig, fig.subplots()


def _legend(ax, n: int) -> None:
    if n:
        ax.legend(fontsize=7, loc="best", ncols=2 if n > 6 else 1, framealpha=0.8)


# ------------------------------------------------------------------ round robin
def running_standings(history: np.ndarray, names: Sequence[str], title: str = "Running standings") -> Figure:
    """Each entrant's mean payoff per round over its matches so far, after every match."""
    fig, ax = _figure()
    x = np.arange(1, len(history) + 1)
    for i, (name, c) in enumerate(zip(names, colours(len(names)))):
        ax.plot(x, history[:, i] if len(history) else [], color=c, lw=1.4, label=text(name))
    ax.set_xlabel("matches played")
    ax.set_ylabel("mean payoff per round")
    ax.set_title(title, fontsize=10)
    _legend(ax, len(names))
    return fig


def heat_map(table, title: str = "Mean payoff against each opponent") -> Figure:
    """Heat map of a (entrant × opponent) table of mean payoffs; empty cells stay blank."""
    fig, ax = _figure((5.6, 4.6))
    values = np.asarray(table.to_numpy(dtype=float))
    cmap = colormaps["viridis"].with_extremes(bad="#eeeeee")
    finite = values[np.isfinite(values)]
    im = ax.imshow(
        np.ma.masked_invalid(values),
        cmap=cmap,
        aspect="auto",
        vmin=finite.min() if finite.size else 0,
        vmax=finite.max() if finite.size else 1,
    )
    ax.set_xticks(range(len(table.columns)), [text(c) for c in table.columns], rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(table.index)), [text(r) for r in table.index], fontsize=7)
    if values.size <= 144:
        for (r, c), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(
                    c,
                    r,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if v < finite.mean() else "black",
                )
    ax.set_xlabel("opponent")
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


def action_raster(
    actions: np.ndarray,
    action_labels: Sequence[Sequence[str]],
    seat_names: Sequence[str],
    period: float | None = None,
    onset: float | None = None,
    title: str = "",
) -> Figure:
    """The actions of a match, one row per seat and one column per round, with the detected
    stable cycle (from round ``onset``, period ``period``) shaded."""
    fig, ax = _figure((5.6, 1.2 + 0.5 * max(1, len(seat_names))))
    acts = np.asarray(actions)
    n_labels = max(len(a) for a in action_labels) if action_labels else 1
    cmap = ListedColormap(colours(n_labels)[:n_labels])
    turns = acts.shape[0]
    if turns:
        ax.imshow(
            acts.T,
            aspect="auto",
            interpolation="nearest",
            cmap=cmap,
            vmin=-0.5,
            vmax=n_labels - 0.5,
            extent=(-0.5, turns - 0.5, len(seat_names) - 0.5, -0.5),
        )
    ax.set_yticks(range(len(seat_names)), [text(s) for s in seat_names], fontsize=7)
    ax.set_xlim(-0.5, max(turns, 1) - 0.5)
    ax.set_xlabel("round")
    if period is not None and onset is not None and np.isfinite(period) and np.isfinite(onset):
        ax.axvspan(onset - 0.5, turns - 0.5, color="black", alpha=0.15, hatch="//", fill=False, lw=0)
        ax.axvline(onset - 0.5, color="black", lw=1.5, ls="--")
        title = f"{title}\nstable cycle (shaded) from round {int(onset)}, period {int(period)}"
    handles = [
        Line2D([], [], marker="s", ls="", color=c, label=text(lab))
        for c, lab in zip(
            colours(n_labels),
            action_labels[0] if len(set(map(tuple, action_labels))) == 1 else [f"action {i}" for i in range(n_labels)],
        )
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(text(title), fontsize=8)
    return fig


# ------------------------------------------------------------------ hagglers
def demand_trajectories(
    demands: Sequence[np.ndarray], seat_names: Sequence[str], switches: Sequence[Sequence[int]] = ()
) -> Figure:
    """Each haggler's demand (the value of the hypothesis it follows) per round; the rounds where
    it switched hypothesis are marked."""
    fig, ax = _figure()
    for s, (d, name, c) in enumerate(zip(demands, seat_names, colours(len(seat_names)))):
        d = np.asarray(d, dtype=float)
        ax.plot(np.arange(len(d)), d, color=c, lw=1.3, label=text(name), drawstyle="steps-post")
        marks = [r for r in (switches[s] if s < len(switches) else []) if 0 <= r < len(d)]
        if marks:
            ax.plot(marks, d[marks], "v", color=c, ms=6, mec="black", mew=0.5)
    ax.set_xlabel("round")
    ax.set_ylabel("demand")
    ax.set_title("Demands (▼ = switch of hypothesis)", fontsize=10)
    _legend(ax, len(seat_names))
    return fig


def hypothesis_classes(
    classes: Sequence[np.ndarray], seat_names: Sequence[str], switches: Sequence[Sequence[int]] = ()
) -> Figure:
    """Which class of hypothesis each seat follows in every round, with the switch points."""
    kinds = sorted({str(c) for arr in classes for c in arr})
    fig, ax = _figure((5.6, 1.4 + 0.5 * max(1, len(seat_names))))
    cols = dict(zip(kinds, colours(max(len(kinds), 1))))
    for s, seat_classes in enumerate(classes):
        arr = [str(c) for c in seat_classes]
        start = 0
        for t in range(1, len(arr) + 1):
            if t == len(arr) or arr[t] != arr[start]:
                ax.barh(s, t - start, left=start - 0.5, color=cols[arr[start]], height=0.6)
                start = t
        for r in switches[s] if s < len(switches) else []:
            ax.plot([r - 0.5, r - 0.5], [s - 0.35, s + 0.35], color="black", lw=1.2)
    ax.set_yticks(range(len(seat_names)), [text(n) for n in seat_names], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("round")
    ax.set_title("Hypothesis class followed (| = switch)", fontsize=10)
    handles = [Line2D([], [], marker="s", ls="", color=cols[k], label=text(k)) for k in kinds]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


# ------------------------------------------------------------------ switchers
def occupancy(
    labels: Sequence[str],
    observed: np.ndarray,
    expected: np.ndarray | None,
    stationary: np.ndarray | None,
    stationary_label: str,
    rounds: int,
) -> Figure:
    """Share of rounds in each action profile so far, against the exact expectation for this
    many rounds and the chain's stationary distribution (the softmax in common-payoff games)."""
    fig, ax = _figure()
    x = np.arange(len(labels))
    w = 0.27
    ax.bar(x - w, observed, w, color="#1f77b4", label=f"observed ({rounds} rounds)")
    if expected is not None:
        ax.bar(x, expected, w, color="#aec7e8", label=f"exact expectation, {rounds} rounds")
    if stationary is not None:
        ax.bar(x + w, stationary, w, color="#ff7f0e", label=text(stationary_label))
    ax.set_xticks(
        x,
        [text(lab) for lab in labels],
        rotation=45 if len(labels) > 4 else 0,
        ha="right" if len(labels) > 4 else "center",
        fontsize=7,
    )
    ax.set_ylabel("share of rounds")
    ax.set_ylim(0, 1)
    ax.set_title("Profile occupancy", fontsize=10)
    ax.legend(fontsize=7)
    return fig


# ------------------------------------------------------------------ populations
def shares_over_time(x: np.ndarray, shares: np.ndarray, names: Sequence[str], xlabel: str) -> Figure:
    """Share of every type against generations (or rounds)."""
    fig, ax = _figure()
    for i, (name, c) in enumerate(zip(names, colours(len(names)))):
        ax.plot(x, shares[:, i] if len(shares) else [], color=c, lw=1.5, label=text(name))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share")
    ax.set_title("Shares over time", fontsize=10)
    _legend(ax, len(names))
    return fig


def mean_payoff_over_time(x: np.ndarray, y: np.ndarray, xlabel: str) -> Figure:
    fig, ax = _figure((5.6, 3.0))
    ax.plot(x, y, color="black", lw=1.4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean payoff per round")
    ax.set_title("Mean payoff", fontsize=10)
    return fig


def population_graph(graph, pos: dict, types: np.ndarray, names: Sequence[str], title: str = "") -> Figure:
    """The interaction graph with every individual coloured by its type."""
    import networkx as nx

    fig, ax = _figure((5.6, 3.9))
    cols = colours(len(names))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="#999999", width=0.8)
    nx.draw_networkx_nodes(
        graph,
        pos,
        ax=ax,
        nodelist=list(range(len(types))),
        node_color=[cols[int(t)] for t in types],
        node_size=90,
        edgecolors="black",
        linewidths=0.5,
    )
    counts = np.bincount(np.asarray(types, dtype=int), minlength=len(names))
    handles = [
        Line2D([], [], marker="o", ls="", color=c, mec="black", mew=0.5, label=f"{text(n)} ({k})")
        for n, c, k in zip(names, cols, counts)
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(-0.02, 1.02), framealpha=0.85)
    ax.set_axis_off()
    ax.set_title(text(title), fontsize=10)
    return fig
