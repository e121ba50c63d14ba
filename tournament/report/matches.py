"""Report sections on match outcomes: payoff cross-table, outcomes over the feasible
region, stable cycles, Pareto optimality, coalitions, and strategies' demand trajectories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.matches import flag
from ..analysis.standings import cross_table
from .figures import draw_feasible_region, figure, save
from .sections import MISSING, ReportContext, Section, markdown_table, section

MAX_ROWS = 40
MAX_DEMAND_PANELS = 6


def fmt_rate(rate: dict | None) -> str:
    """``85.0% [78.1%, 90.2%] (17/20)`` from a rate dict; an exact rate of deterministic
    matches reads ``100.0% (deterministic: one observation)``."""
    if not rate or rate.get("fraction") is None:
        return MISSING
    obs = rate.get("observations")
    if rate.get("deterministic"):
        what = "one observation" if obs == 1 else f"{obs} observations, one per seating"
        return f"{rate['fraction']:.1%} (deterministic: {what})"
    extra = f"; {obs} observations" if obs is not None and obs != rate["n"] else ""
    return f"{rate['fraction']:.1%} [{rate['ci_low']:.1%}, {rate['ci_high']:.1%}] ({rate['count']}/{rate['n']}{extra})"


def rate_lines(summary: dict, markdown: bool = False) -> list[str]:
    """The headline rates with what they mean (for the terminal and the report); nothing
    for rates that do not apply (e.g. one-round matches)."""
    rates = summary.get("rates")
    if not rates:
        return []
    rule = (summary.get("settled_rule") or {}).get("text")
    b = "- " if markdown else ""
    lines = [
        f"{b}settled in a stable cycle: {fmt_rate(rates.get('settled'))}"
        + (f" — settled means: {rule}" if rule else "")
    ]
    lines.append(
        f"{b}Pareto-optimal (settled, and the cycle's mean payoffs are on the Pareto frontier): "
        f"{fmt_rate(rates.get('pareto_optimal'))}"
    )
    if markdown:
        lines.append(f"{b}Pareto-optimal among settled matches: {fmt_rate(rates.get('pareto_optimal_given_settled'))}")
    if rates.get("coalition_formed"):
        lines.append(f"{b}a coalition formed (among settled matches): {fmt_rate(rates.get('coalition_formed'))}")
    return lines


def _entrant_cols(matches: pd.DataFrame) -> list[str]:
    return sorted((c for c in matches if c.startswith("entrant_") and c[8:].isdigit()), key=lambda c: int(c[8:]))


#: above this many entrants the payoff table's columns are numbered (names in the rows)
NUMBERED_COLUMNS = 6


@section
def payoff_matrix_section(ctx: ReportContext) -> Section | None:
    m = ctx.matches
    if m.empty or ctx.game.n_players != 2 or "payoff_0" not in m:
        return None
    order = [s["entrant"] for s in ctx.summary.get("standings", [])]
    ok = m[m["status"].fillna("ok") == "ok"] if "status" in m else m
    table = cross_table(ok, order)
    n = len(table)
    shown = table.copy()
    if n > NUMBERED_COLUMNS:  # keep the table as wide as the page: numbers as column headers
        shown.index = [f"{i + 1}. {name}" for i, name in enumerate(shown.index)]
        shown.columns = [str(i + 1) for i in range(len(shown.columns))]
    over = "over all stage games of all runs" if "games" in m else "averaged over repetitions and seats"
    md = (
        f"Mean payoff per round of the row entrant against the column entrant ({over})"
        + (", columns numbered like the rows" if n > NUMBERED_COLUMNS else "")
        + ".\n\n"
        + markdown_table(
            shown.rename_axis("entrant").reset_index(),
            floatfmt="{:.3f}",
            legend="the two never met (without self-play an entrant does not meet itself)",
        )
    )
    images = []
    if ctx.plots and len(table):
        fig = figure(max(5.0, 0.55 * n + 2.5), max(4.0, 0.45 * n + 1.8))
        ax = fig.add_subplot()
        im = ax.imshow(table.to_numpy(dtype=float), cmap="viridis")
        ax.set_xticks(range(n), table.columns, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(n), table.index, fontsize=8)
        ax.set_xlabel("opponent")
        ax.set_ylabel("entrant")
        ax.set_title("Mean payoff per round against each opponent")
        if n <= 16:
            vals = table.to_numpy(dtype=float)
            mid = np.nanmean(vals)
            for r in range(n):
                for c in range(n):
                    if np.isfinite(vals[r, c]):
                        ax.text(
                            c,
                            r,
                            f"{vals[r, c]:.2f}",
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="white" if vals[r, c] < mid else "black",
                        )
        fig.colorbar(im, ax=ax, label="mean payoff per round")
        images.append(save(fig, ctx.image_path("payoff_matrix.png")))
    return Section("Payoff matrix", md, images, order=20)


def _outcome_points(m: pd.DataFrame, k: int) -> pd.DataFrame:
    settled = flag(m["settled"]) if "settled" in m else pd.Series(False, index=m.index)
    short = m["settled"].isna() if "settled" in m else pd.Series(False, index=m.index)
    cols = [f"cycle_payoff_{i}" for i in range(k)]
    pts = m.loc[settled, cols].copy()
    pts.columns = list(range(k))
    pts["pareto"] = flag(m.loc[settled, "pareto_optimal"]).to_numpy()
    pts["kind"] = "settled"
    parts = [pts]
    for sel, kind in ((~settled & ~short, "unsettled"), (short, "short")):
        other = m.loc[sel, [f"payoff_{i}" for i in range(k)]].copy()
        other.columns = list(range(k))
        other["pareto"] = False
        other["kind"] = kind
        parts.append(other)
    return pd.concat(parts, ignore_index=True)


#: largest marker area (points²): labels of the pure profiles sit further out than this
MAX_MARKER_AREA = 200.0


@section
def outcomes_section(ctx: ReportContext) -> Section | None:
    m = ctx.matches
    game = ctx.game
    k = game.n_players
    if "status" in m:
        m = m[m["status"].fillna("ok") == "ok"]
    if m.empty or "settled" not in m or k < 2 or m["settled"].isna().all():
        return None  # no match long enough for a cycle: nothing to show against the frontier
    pts = _outcome_points(m, k)
    md = (
        "Each settled match's cycle payoff vector (the mean payoff over one period of its stable "
        "cycle) on the feasible payoff region (the convex hull of the pure payoff vectors). "
        "Marker area grows with the number of matches at the same point; other matches "
        "are shown at their mean payoffs."
    )
    images = []
    if ctx.plots:
        pairs = [(0, 1)] if k == 2 else [(0, 1), (0, 2), (1, 2)] if k == 3 else [(0, 1)]
        fig = figure(5.2 * len(pairs), 5.0)
        styles: tuple[tuple[str, bool, dict[str, Any]], ...] = (
            ("settled", True, dict(c="#1b7837", marker="o", label="settled, Pareto-optimal")),
            ("settled", False, dict(c="#c51b7d", marker="o", label="settled, not Pareto-optimal")),
            (
                "unsettled",
                False,
                dict(facecolors="none", edgecolors="#666666", marker="s", label="not settled (mean payoff)"),
            ),
            (
                "short",
                False,
                dict(facecolors="none", edgecolors="#666666", marker="D", label="too short for a cycle (mean payoff)"),
            ),
        )
        for n, (i, j) in enumerate(pairs):
            ax = fig.add_subplot(1, len(pairs), n + 1)
            draw_feasible_region(ax, game, i, j, label_profiles=(k == 2))
            for kind, pareto, style in styles:
                sel = pts[(pts["kind"] == kind) & (pts["pareto"] == pareto)]
                if sel.empty:
                    continue
                grouped = sel.groupby([i, j]).size().reset_index(name="count")
                area = np.minimum(25 + 12 * grouped["count"] / max(1, np.sqrt(len(m))), MAX_MARKER_AREA)
                ax.scatter(grouped[i], grouped[j], s=area, alpha=0.8, zorder=4, **style)
            if k == 3:
                ax.set_title(f"players {i} and {j} (projection)", fontsize=10)
        # one legend for all panels, below them: it never covers data
        handles, labels = fig.axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(labels)), fontsize=8)
        fig.suptitle(f"Outcomes of {len(m)} matches on {game.name}")
        images.append(save(fig, ctx.image_path("outcomes.png")))
    return Section("Outcomes and the Pareto frontier", md, images, order=30)


@section
def cycles_section(ctx: ReportContext) -> Section | None:
    m = ctx.matches
    rates = ctx.summary.get("rates")
    if m.empty or not rates or "settled" not in m:
        return None  # e.g. one-round matches: no cycle can show, so no rates at all
    lines = rate_lines(ctx.summary, markdown=True)
    cyc = ctx.summary.get("cycles")
    if cyc:
        share = cyc.get("onset_share_median")
        lines.append(
            f"- cycle onset: mean {cyc['onset_mean']:.1f}, median {cyc['onset_median']:.0f}"
            + (f" ({share:.0%} into the match)" if share is not None else "")
            + f", latest {cyc['onset_max']} (rounds)"
        )
        lines.append(f"- share of cycle rounds on Pareto-optimal pure profiles: {cyc['pareto_profile_share_mean']:.1%}")
    lines.append("")
    lines.append(
        "Intervals: 95%, on independent observations — the repetitions of a deterministic seating "
        "are identical and count once; the other matches are Wilson intervals."
    )
    by_pair = ctx.summary.get("rates_by_pairing", {})
    rows = [
        {
            "pairing": key,
            "matches": r["settled"]["n"],
            "settled": fmt_rate(r["settled"]),
            "Pareto-optimal": fmt_rate(r["pareto_optimal"]),
        }
        for key, r in by_pair.items()
    ]
    md = "\n".join(lines)
    if rows:
        shown = pd.DataFrame(rows[:MAX_ROWS])
        md += "\n\nBy pairing" + (f" (first {MAX_ROWS} of {len(rows)})" if len(rows) > MAX_ROWS else "") + ":\n\n"
        md += markdown_table(shown)
    by_ent = ctx.summary.get("rates_by_entrant", {})
    if by_ent:
        md += "\n\nBy entrant (matches it took part in):\n\n" + markdown_table(
            pd.DataFrame(
                [
                    {"entrant": e, "settled": fmt_rate(r["settled"]), "Pareto-optimal": fmt_rate(r["pareto_optimal"])}
                    for e, r in by_ent.items()
                ]
            )
        )
    images = []
    settled = m[flag(m["settled"])]
    if ctx.plots and len(settled):
        fig = figure(10, 3.6)
        ax1 = fig.add_subplot(1, 2, 1)
        periods = settled["cycle_period"].astype(int)
        counts = periods.value_counts().sort_index()
        ax1.bar(counts.index.astype(str), counts.to_numpy(), color="#4575b4")
        ax1.set_xlabel("cycle period (rounds)")
        ax1.set_ylabel("settled matches")
        ax1.set_title("Period of the stable cycle")
        ax2 = fig.add_subplot(1, 2, 2)
        onsets = settled["cycle_onset"].astype(int)
        ax2.hist(onsets, bins=min(40, max(5, onsets.nunique())), color="#d73027")
        ax2.set_xlabel("cycle onset (round)")
        ax2.set_ylabel("settled matches")
        ax2.set_title("When the cycle starts")
        images.append(save(fig, ctx.image_path("cycles.png")))
    return Section("Stable cycles and Pareto optimality", md, images, order=35)


@section
def coalitions_section(ctx: ReportContext) -> Section | None:
    co = ctx.summary.get("coalitions")
    if not co:
        return None
    rows = [
        {"structure": lab, "settled matches": rate["count"], "share": fmt_rate(rate)}
        for lab, rate in co.get("structure_rates", {}).items()
    ]
    md = (
        "Coalition structure of each settled match: minimal groups whose empirical "
        "joint play over the cycle guarantees every member its cycle payoff whatever the others "
        "do (outsiders may react to the group's actions), with some member above its security "
        "value; `{0,1}|{2}` means seats 0 and 1 formed a coalition and seat 2 stayed alone.\n\n"
    )
    md += markdown_table(pd.DataFrame(rows)) if rows else "(no settled matches)"
    md += f"\n\nStable (no group could guarantee all its members strictly more): {fmt_rate(co.get('stable'))}"
    partners = co.get("partners") or {}
    if partners:
        md += "\n\nWho formed coalitions with whom (settled matches):\n\n" + markdown_table(
            pd.DataFrame([{"entrants": k, "matches": v} for k, v in list(partners.items())[:MAX_ROWS]])
        )
    images = []
    if ctx.plots and rows:
        fig = figure(6.5, 0.45 * len(rows) + 1.6)
        ax = fig.add_subplot()
        labels = [r["structure"] or "(none)" for r in rows][::-1]
        ax.barh(labels, [r["settled matches"] for r in rows][::-1], color="#762a83")
        ax.set_xlabel("settled matches")
        ax.set_title("Coalition structures")
        images.append(save(fig, ctx.image_path("coalitions.png")))
    return Section("Coalitions", md, images, order=45)


def demand_traces(rounds: Mapping[int, Mapping[str, Any]], k: int) -> dict[int, np.ndarray]:
    """match_id -> (rounds × k) demand array, for the kept matches where every seat
    exposed a ``demand`` trace (e.g. two hagglers)."""
    out = {}
    for mid, data in sorted(rounds.items()):
        keys = [f"s{s}.demand" for s in range(k)]
        if all(key in data for key in keys):
            out[mid] = np.stack([np.asarray(data[key], dtype=float) for key in keys], axis=1)
    return out


@section
def demand_section(ctx: ReportContext) -> Section | None:
    game = ctx.game
    k = game.n_players
    traces = demand_traces(ctx.rounds, k)
    if not traces:
        return None
    m = ctx.matches.set_index("match_id") if "match_id" in ctx.matches else pd.DataFrame()
    # identical trajectories (deterministic play) are drawn once, with their multiplicity
    groups: dict[bytes, list[int]] = {}
    for mid, d in traces.items():
        groups.setdefault(np.ascontiguousarray(d).tobytes(), []).append(mid)
    distinct = [mids for mids in groups.values()]
    chosen = [mids[0] for mids in distinct[:MAX_DEMAND_PANELS]]
    copies = {mids[0]: len(mids) for mids in distinct}
    md = (
        "Demands (the value each strategy currently claims, e.g. a haggler's hypothesis value) "
        "round by round, drawn inside the feasible payoff region like the seed's figure: "
        "seat 0's demand on x, seat 1's on y, time as colour. Demands start high and fall as "
        f"hypotheses are falsified. {len(traces)} kept matches have demand traces on every seat; "
        f"they follow {len(distinct)} distinct trajectories, of which {len(chosen)} are shown."
    )
    images = []
    if ctx.plots:
        from matplotlib.collections import LineCollection

        cols = min(3, len(chosen))
        rows = -(-len(chosen) // cols)
        fig = figure(4.6 * cols, 4.2 * rows)
        for n, mid in enumerate(chosen):
            d = traces[mid]
            ax = fig.add_subplot(rows, cols, n + 1)
            draw_feasible_region(ax, game, 0, 1, label_profiles=False)
            pts = d[:, :2]
            t = np.arange(len(pts))
            if len(pts) > 1:
                segs = np.stack([pts[:-1], pts[1:]], axis=1)
                lc = LineCollection(list(segs), cmap="plasma", array=t[:-1], linewidth=2, zorder=5)
                ax.add_collection(lc)
            sc = ax.scatter(pts[:, 0], pts[:, 1], c=t, cmap="plasma", s=14, zorder=6)
            ax.scatter(pts[0, 0], pts[0, 1], marker="^", s=70, c="black", zorder=7, label="start")
            ax.scatter(pts[-1, 0], pts[-1, 1], marker="*", s=110, c="black", zorder=7, label="end")
            names = ""
            if mid in m.index:
                names = " vs ".join(str(m.loc[mid, f"entrant_{s}"]) for s in range(k))
            same = f" (and {copies[mid] - 1} identical)" if copies[mid] > 1 else ""
            ax.set_title(f"match {mid}{same}: {names}"[:70], fontsize=9)
            ax.set_xlabel("demand of seat 0")
            ax.set_ylabel("demand of seat 1")
            fig.colorbar(sc, ax=ax, label="round")
        handles, labels = fig.axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
        images.append(save(fig, ctx.image_path("demands.png")))
        if k >= 3:
            fig = figure(4.6 * cols, 3.4 * rows)
            for n, mid in enumerate(chosen):
                ax = fig.add_subplot(rows, cols, n + 1)
                for s in range(k):
                    ax.plot(traces[mid][:, s], label=f"seat {s}", drawstyle="steps-post")
                if len(traces[mid]) > 200:  # demands move early; a log time axis shows both
                    ax.set_xscale("symlog", linthresh=10)
                ax.set_xlabel("round")
                ax.set_ylabel("demand")
                same = f" (and {copies[mid] - 1} identical)" if copies[mid] > 1 else ""
                ax.set_title(f"match {mid}{same}", fontsize=9)
            handles, labels = fig.axes[0].get_legend_handles_labels()
            fig.legend(handles, labels, loc="outside right upper", fontsize=8)
            images.append(save(fig, ctx.image_path("demands_time.png")))
    return Section("Demand trajectories", md, images, order=60)
