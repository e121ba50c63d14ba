"""The SolaraViz pages (needs the ``[view]`` extra).

Each panel is a Mesa SolaraViz component: a function of the model returning a Solara
element (Mesa re-renders it after every step). Charts are matplotlib figures from
:mod:`.figures`, sent as PNG images; tables are Vuetify tables of plain text (names from the
scenario file are never interpreted as HTML). Every panel sits in a ``tv-<name>`` CSS class so
that tests and users can find it in the page.

``tournament view`` serves :func:`Page` (Solara's ``SOLARA_APP=tournament.live.app``) for the
scenario named by the ``TOURNAMENT_VIEW_SCENARIO`` environment variable
(``TOURNAMENT_VIEW_PAGE``: auto | tournament | match); in a notebook, ``viz(page_for(path))``
displays the same page.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

import numpy as np
import solara
from mesa.visualization import SolaraViz

from ..analysis.cycles import find_cycle
from ..analysis.standings import cross_table
from ..theory import softmax as sm
from . import figures
from .pages import PageSpec, page_for

ENV_SCENARIO = "TOURNAMENT_VIEW_SCENARIO"
ENV_PAGE = "TOURNAMENT_VIEW_PAGE"


def _panel(name: str, *children):
    return solara.Column(children=list(children), classes=[f"tv-{name}"], gap="4px")


def _figure(name: str, fig):
    return _panel(name, solara.FigureMatplotlib(fig, format="png"))


def _table(header: list[str], rows: list[list[object]]):
    """A plain-text table (cells are text nodes, never HTML)."""
    v = solara.v
    head = v.Html(
        tag="thead", children=[v.Html(tag="tr", children=[v.Html(tag="th", children=[str(h)]) for h in header])]
    )
    body = v.Html(
        tag="tbody",
        children=[v.Html(tag="tr", children=[v.Html(tag="td", children=[str(c)]) for c in row]) for row in rows],
    )
    return v.SimpleTable(dense=True, children=[head, body])


def settings_line(model) -> str:
    """The settings the model runs with (the sliders do not show their values)."""
    sc = model.tournament_scenario
    st, m = sc.settings, sc.match
    parts = [f"seed {sc.seed}"]
    if m.turns is not None:
        parts.append(f"turns {m.turns}")
    if m.prob_end is not None:
        parts.append(f"prob_end {m.prob_end:g}")
    parts.append(f"noise {m.noise:g}")
    for key, label in (
        ("selection_intensity", "intensity of selection"),
        ("fitness", "fitness"),
        ("mutation", "mutation"),
        ("update", "update"),
        ("generations", "generations"),
        ("step", "Euler step"),
        ("background_fitness", "background fitness"),
    ):
        if key in st and st[key] is not None:
            v = st[key]
            parts.append(f"{label} {v:g}" if isinstance(v, float) else f"{label} {v}")
    return "Settings: " + ", ".join(parts)


def _fmt(x: float, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


# ------------------------------------------------------------------ round robin
def rr_summary(model):
    """Progress, the last match and the running standings table."""
    n = model.matches_played
    lines = [
        f"{n} of {model.n_matches} matches played ({len(model.seatings)} seatings × {model.repetitions} repetitions)",
        settings_line(model),
    ]
    if n:
        row = model.records[-1].row
        k = model.game.n_players
        who = " vs ".join(str(row[f"entrant_{s}"]) for s in range(k))
        pay = ", ".join(_fmt(row[f"payoff_{s}"]) for s in range(k))
        cyc = f"stable cycle of period {int(row['cycle_period'])}" if row.get("settled") else "no stable cycle"
        lines.append(f"Last: repetition {row['repetition']}, {who}: mean payoffs ({pay}); {cyc}")
    children = [solara.Text(line) for line in lines]
    table = model.standings()
    if not table.empty:
        rows = [
            [r["rank"], r["entrant"], _fmt(r["mean_payoff"]), f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]", r["n"]]
            for r in table.to_dict(orient="records")
        ]
        children.append(_table(["rank", "entrant", "mean payoff per round", "95% CI", "n (observations)"], rows))
    return _panel("summary", *children)


def rr_running(model):
    return _figure("running", figures.running_standings(model.history, model.names))


def pair_table(matches, k: int, names: list[str]):
    """Mean payoff of the row entrant in the matches that seat the column entrant (for 2 players
    the cross table)."""
    import pandas as pd

    if matches.empty:
        return pd.DataFrame(np.nan, index=names, columns=names)
    if k == 2:
        return cross_table(matches, names).reindex(index=names, columns=names)
    parts = []
    for s in range(k):
        for o in range(k):
            if o != s:
                part = matches[[f"entrant_{s}", f"entrant_{o}", f"payoff_{s}"]].copy()
                part.columns = ["entrant", "opponent", "payoff"]
                parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    table = long.pivot_table(index="entrant", columns="opponent", values="payoff", aggfunc="mean")
    return table.reindex(index=names, columns=names)


def rr_heat_map(model):
    k = model.game.n_players
    title = "Mean payoff against each opponent" if k == 2 else "Mean payoff in matches with each co-player"
    return _figure("heatmap", figures.heat_map(pair_table(model.matches(), k, model.names), title))


def rr_pairing(model):
    j = model.pairing
    label = model.labels[j]
    record = model.latest.get(j)
    if record is None or record.rounds is None:
        return _panel("pairing", solara.Text(f"{label}: not played yet (step on)"))
    row = record.row
    acts = record.rounds["actions"]
    k = model.game.n_players
    names = [str(row[f"entrant_{s}"]) for s in range(k)]
    period = row.get("cycle_period") if row.get("settled") else None
    onset = row.get("cycle_onset") if row.get("settled") else None
    title = f"{label}, repetition {row['repetition']}"
    return _figure("pairing", figures.action_raster(acts, model.game.actions, names, period, onset, title))


# ------------------------------------------------------------------ one match
def match_summary(model):
    """Round, mean payoffs, what each haggler follows, and the actions with the stable cycle."""
    t = model.rounds_played
    pay = model.payoffs()
    means = pay.mean(axis=0) if t else np.full(model.game.n_players, np.nan)
    lines = [
        f"{model.label}, repetition {model.task.repetition} (match id {model.match_id}): round {t} of {model.turns}",
        settings_line(model),
        "Mean payoffs so far: " + ", ".join(f"{a.label} {_fmt(m)}" for a, m in zip(model.seats, means)),
    ]
    for agent in model.seats:
        describe = getattr(agent.strategy, "describe", None)
        if callable(describe) and hasattr(agent.strategy, "switches"):
            n = len(agent.strategy.switches)
            lines.append(
                f"{agent.label} follows: {describe()} ({n} choice{'s' if n != 1 else ''} of hypothesis so far)"
            )
    acts = model.actions()
    cfg = model.analysis
    cyc = (
        find_cycle(acts, cfg["cycle_min_repeats"], int(math.ceil(cfg["cycle_min_tail"] * len(acts))))
        if len(acts)
        else None
    )
    fig = figures.action_raster(
        acts,
        model.game.actions,
        [a.label for a in model.seats],
        cyc.period if cyc else None,
        cyc.onset if cyc else None,
        f"Actions, {len(acts)} rounds" + ("" if cyc else " (no stable cycle yet)"),
    )
    return _panel(
        "summary", *[solara.Text(line) for line in lines], _panel("actions", solara.FigureMatplotlib(fig, format="png"))
    )


def _switch_rounds(model) -> list[list[int]]:
    return [[r for r, old, _new, _v in getattr(a.strategy, "switches", []) if old is not None] for a in model.seats]


def match_demands(model):
    demands = [model.traces(s).get("demand", np.zeros(0)) for s in range(len(model.seats))]
    return _figure(
        "demands", figures.demand_trajectories(demands, [a.label for a in model.seats], _switch_rounds(model))
    )


def match_hypotheses(model):
    classes = [model.traces(s).get("hypothesis_class", np.zeros(0)) for s in range(len(model.seats))]
    return _figure(
        "hypotheses", figures.hypothesis_classes(classes, [a.label for a in model.seats], _switch_rounds(model))
    )


MAX_OCCUPANCY_BARS = 16


def match_occupancy(model):
    game = model.game
    t = model.rounds_played
    alphas = [float(a.strategy.alpha) for a in model.seats]
    lowest = game.payoff_vectors.min(axis=0)  # u_min defaults to the seat's lowest payoff
    floors = [float(lowest[a.seat]) if a.strategy.u_min is None else float(a.strategy.u_min) for a in model.seats]
    P = sm.transition_matrix(game, alphas, floors, noise=model.noise)
    if game.is_common_payoff and len(set(alphas)) == 1 and len(set(floors)) == 1 and model.noise == 0:
        pi, pi_label = sm.softmax_distribution(game, alphas[0]), f"softmax π ∝ exp({alphas[0]:g}·U)"
    else:
        pi, pi_label = sm.stationary_distribution(P), "stationary distribution of the exact chain"
    observed = sm.occupation(game, model.actions())
    expected = sm.expected_occupation(P, t) if t else None
    labels = [game.label(p) for p in game.profile_array.tolist()]
    keep = np.argsort(-np.maximum(observed, pi), kind="stable")[:MAX_OCCUPANCY_BARS]
    keep.sort()
    return _figure(
        "occupancy",
        figures.occupancy(
            [labels[i] for i in keep],
            observed[keep],
            expected[keep] if expected is not None else None,
            pi[keep],
            pi_label,
            t,
        ),
    )


# ------------------------------------------------------------------ populations
MAX_GRAPH_NODES = 2000


def moran_graph(model):
    """Progress and settings, and the interaction graph coloured by type."""
    fixed = "" if model.fixed is None else f"; {model.ctx.types[model.fixed]} fixed"
    lines = [
        f"Run {model.run_index}: {model.steps} events = {model.steps / model.size:.2f} generations of "
        f"{model.size} individuals{fixed}",
        settings_line(model),
    ]
    counts = ", ".join(f"{n} {c}" for n, c in zip(model.ctx.types, model.counts.tolist()))
    lines.append(f"Counts: {counts}" + ("" if model.graph is not None else " (well-mixed)"))
    if model.graph is None:
        return _panel("graph", *[solara.Text(line) for line in lines])
    if model.size > MAX_GRAPH_NODES:
        return _panel(
            "graph",
            *[solara.Text(line) for line in lines],
            solara.Text(f"{model.size} individuals: too many to draw the graph"),
        )
    if getattr(model, "layout", None) is None:
        import networkx as nx

        model.layout = nx.spring_layout(model.graph, seed=0)  # fixed: nodes stay put while types change
    fig = figures.population_graph(
        model.graph,
        model.layout,
        model.types,
        model.ctx.types,
        f"Interaction graph, generation {model.steps / model.size:.2f}",
    )
    return _panel("graph", *[solara.Text(line) for line in lines], solara.FigureMatplotlib(fig, format="png"))


def _shares_and_payoff(xlabel: str, names_of: Callable, settings: bool = True) -> list:
    def shares(model):
        rec = model.record()
        names = names_of(model)
        fig = figures.shares_over_time(rec.iloc[:, 0].to_numpy(), rec[names].to_numpy(), names, xlabel)
        head = [solara.Text(settings_line(model))] if settings else []
        return _panel("shares", *head, solara.FigureMatplotlib(fig, format="png"))

    def payoff(model):
        rec = model.record()
        return _figure(
            "payoff", figures.mean_payoff_over_time(rec.iloc[:, 0].to_numpy(), rec["mean_payoff"].to_numpy(), xlabel)
        )

    return [shares, payoff]


def components_for(spec: PageSpec) -> list:
    """The page's panels (Mesa components) for a page spec."""
    if spec.page == "round_robin":
        return [rr_summary, rr_running, rr_heat_map, rr_pairing]
    if spec.page == "match":
        out = [match_summary]
        from strategies.haggler.agent import IBHaggler
        from strategies.softmax_switcher import SoftmaxSwitcher

        classes = [spec_.strategy_class() for spec_ in _entrants(spec)]
        if any(issubclass(c, IBHaggler) for c in classes):
            out += [match_demands, match_hypotheses]
        if classes and all(issubclass(c, SoftmaxSwitcher) for c in classes):
            out.append(match_occupancy)
        return out
    if spec.page == "moran":
        return [moran_graph, *_shares_and_payoff("generation", lambda m: list(m.ctx.types), settings=False)]
    if spec.page == "random_matching":
        return _shares_and_payoff("round", lambda m: [t.name for t in m.ctx.types])
    return _shares_and_payoff("generation", lambda m: list(m.types.names))


def _entrants(spec: PageSpec):
    from .models import view_scenario

    return view_scenario(spec.params["scenario_file"]).populations[0].entrants


def viz(spec: PageSpec, model=None):
    """The SolaraViz element of a page (``model``: an already built model of ``spec``)."""
    return SolaraViz(
        model if model is not None else spec.model(),
        components=components_for(spec),
        model_params=spec.params,
        name=spec.title,
        render_interval=spec.render_interval,
        play_interval=spec.play_interval,
    )


@solara.component
def Page():
    path = os.environ.get(ENV_SCENARIO, "")
    spec = solara.use_memo(lambda: page_for(path, os.environ.get(ENV_PAGE, "auto")) if path else None, [])
    model = solara.use_memo(lambda: spec.model() if spec else None, [])  # one model per browser session
    if spec is None:
        return solara.Error(f"set {ENV_SCENARIO} to a scenario file (or start the page with `tournament view FILE`)")
    return viz(spec, model)
