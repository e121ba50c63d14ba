"""Report sections for population tournaments and for comparing populations.

- "Population dynamics" (per population): final shares, fixation statistics, and the shares
  over time (``shares.csv``; for the Moran and random-matching kinds the mean over runs with
  a band of ± one standard error, and a few single runs).
- "Comparison of populations" (once, when a run has several populations, and for
  ``tournament compare``): every metric of ``comparison.csv`` side by side with its 95%
  interval, which differences are clear (disjoint intervals), and overlaid plots.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.comparison import comparison_table, overlaps
from ..output.outputs import inside
from ..output.summary import PopulationSummary
from ..scenario.validation import slug
from .escape import md as esc
from .sections import MISSING, ReportContext, Section, comparison_section, markdown_table, section

MAX_TYPES_PLOTTED = 12

#: the line under the title of each file's report in a ``tournament compare`` folder
BACK_LINK = "Part of a comparison: [all populations side by side](../report.md)."


def _figure(width: float = 7.0, height: float = 4.0):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _ci(est, lo, hi, fmt="{:.3f}") -> str:
    if est is None or (isinstance(est, float) and math.isnan(est)):
        return MISSING
    if lo is None or hi is None or any(isinstance(v, float) and math.isnan(v) for v in (lo, hi)):
        return fmt.format(est)
    return f"{fmt.format(est)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def population_lines(pop: PopulationSummary) -> list[str]:
    """A few plain-text lines for the terminal: final shares and fixation probabilities."""
    shares = ", ".join(f"{f.type} {_ci(f.share, f.ci_low, f.ci_high, '{:.2f}')}" for f in pop.final_shares)
    lines = [f"{pop.kind}: final shares {shares}"] if shares else []
    if pop.fixation:
        fix = ", ".join(
            f"{f['type']} {_ci(f['probability'], f['ci_low'], f['ci_high'], '{:.3f}')}"
            + (f" (exact {f['exact']:.3f})" if f.get("exact") is not None else "")
            for f in pop.fixation
        )
        lines.append(f"fixation probability over {pop.extra.get('runs')} runs: {fix}")
    return lines


# ------------------------------------------------------------------ time series
def mean_trajectories(shares: pd.DataFrame, time: str) -> pd.DataFrame:
    """Mean share (and standard error) per type over runs at every recorded time; a run that
    stopped early (fixation) keeps its last state."""
    if "run" not in shares:
        out = shares[[time, "type", "share"]].copy()
        out["se"] = 0.0
        return out
    wide = shares.pivot_table(index=time, columns=["type", "run"], values="share").sort_index().ffill()
    mean = wide.T.groupby(level="type").mean().T
    se = wide.T.groupby(level="type").sem().T.fillna(0.0)
    long = mean.stack().rename("share").reset_index()
    long["se"] = se.stack().reindex(pd.MultiIndex.from_frame(long[[time, "type"]])).to_numpy()
    return long


def _time_column(shares: pd.DataFrame) -> str:
    return "round" if "round" in shares else "generation"


def plot_shares(shares: pd.DataFrame, path: Path, title: str) -> Path:
    time = _time_column(shares)
    traj = mean_trajectories(shares, time)
    fig = _figure()
    ax = fig.subplots()
    for name, part in list(traj.groupby("type", sort=False))[:MAX_TYPES_PLOTTED]:
        (line,) = ax.plot(part[time], part["share"], label=str(name))
        if part["se"].any():
            ax.fill_between(
                part[time],
                part["share"] - part["se"],
                part["share"] + part["se"],
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
    ax.set_xlabel(time)
    ax.set_ylabel("share" + (" (mean over runs ± s.e.)" if "run" in shares else ""))
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    fig.legend(loc="outside right upper", fontsize="small")
    fig.savefig(path, dpi=110)
    return path


def plot_population(pop: pd.DataFrame, path: Path) -> Path | None:
    """Mean payoff (and cooperation, where defined) of the population over time, mean over runs."""
    time = _time_column(pop)
    cols = [c for c in ("mean_payoff", "cooperation") if c in pop and pop[c].notna().any()]
    if not cols:
        return None
    if "run" in pop:
        wide = {c: pop.pivot_table(index=time, columns="run", values=c).sort_index().ffill().mean(axis=1) for c in cols}
    else:
        wide = {c: pop.set_index(time)[c] for c in cols}
    fig = _figure(7, 3.2)
    axes = np.atleast_1d(fig.subplots(1, len(cols)))
    for ax, c in zip(axes, cols):
        ax.plot(wide[c].index, wide[c].to_numpy())
        ax.set_xlabel(time)
        ax.set_ylabel(c.replace("_", " ") + (" (mean over runs)" if "run" in pop else ""))
        if c == "cooperation":
            ax.set_ylim(-0.02, 1.02)
    fig.savefig(path, dpi=110)
    return path


# ------------------------------------------------------------------ per population
@section
def population_section(ctx: ReportContext) -> Section | None:
    raw = ctx.summary.get("population")
    if not isinstance(raw, dict):  # none (round robin), or a folder written before population_name
        return None
    pop = PopulationSummary.from_json(raw, "population")
    extra = pop.extra
    md = [f"Kind **{esc(pop.kind)}**, types: {', '.join(esc(t) for t in pop.types)}."]
    if extra.get("structure"):
        md.append(f"Population structure: {esc(extra['structure'])}.")
    if extra.get("generations") is not None and pop.kind in ("ecological", "replicator"):
        md.append(
            f"{extra['generations']} generations ({'converged' if extra.get('converged') else 'not converged'}); "
            f"intervals: {extra.get('interval', '')}."
        )
    mp = pop.mean_payoff
    if mp is not None:
        md.append(f"Mean payoff per round: {_ci(mp.mean, mp.ci_low, mp.ci_high)} ({mp.over or ''}).")
    final = pd.DataFrame([f.to_json() for f in pop.final_shares])
    if not final.empty:
        shown = pd.DataFrame(
            {
                "type": final["type"],
                "initial": final["initial"],
                "final share [95% CI]": [_ci(r.share, r.ci_low, r.ci_high) for r in final.itertuples()],
            }
        )
        if "time_average" in final:
            shown["time average [95% CI]"] = [
                _ci(r.time_average, r.time_average_ci_low, r.time_average_ci_high) for r in final.itertuples()
            ]
        md += ["", "**Shares**", "", markdown_table(shown, legend="no interval (see the intervals note above)")]
        top = final.sort_values("share", ascending=False, kind="stable").iloc[0]
        md += [
            "",
            f"Largest final share: **{top['type']}** ({top['share']:.3f}). This is the population's "
            "outcome; the standings above rank the types by their payoff against every type with equal "
            "weight, which is a different question.",
        ]
    fix = pd.DataFrame(pop.fixation)
    if not fix.empty:
        shown = pd.DataFrame(
            {
                "type": fix["type"],
                "initial": fix["initial_count"],
                "fixations": fix["fixations"],
                "runs": fix["runs"],
                "fixation probability [95% Wilson]": [
                    _ci(r.probability, r.ci_low, r.ci_high) for r in fix.itertuples()
                ],
                "neutral (initial/N)": fix["neutral"],
                "exact (well-mixed)": [
                    MISSING if e is None or (isinstance(e, float) and math.isnan(e)) else f"{e:.4f}"
                    for e in fix["exact"]
                ],
                "mean generations": [
                    _ci(r.mean_generations, r.generations_ci_low, r.generations_ci_high, "{:.2f}")
                    for r in fix.itertuples()
                ],
            }
        )
        md += [
            "",
            "**Fixation**",
            "",
            markdown_table(shown, legend="no value (e.g. no exact formula on a graph or with mutation)"),
        ]
        if extra.get("unfixed_runs"):
            md.append(f"\n{extra['unfixed_runs']} run(s) hit the generation cap before fixation.")
    per_type = pd.DataFrame(pop.per_type)
    if not per_type.empty and per_type["cooperation"].notna().any():
        shown = pd.DataFrame(
            {
                "type": per_type["type"],
                "cooperation [95% CI]": [
                    _ci(r.cooperation, r.cooperation_ci_low, r.cooperation_ci_high) for r in per_type.itertuples()
                ],
            }
        )
        md += ["", "**Cooperation** (share of own stage games played cooperatively)", "", markdown_table(shown)]
    images = []
    shares_csv = ctx.folder / "shares.csv"
    if ctx.plots and shares_csv.exists():
        shares = pd.read_csv(shares_csv)
        if not shares.empty:
            images.append(plot_shares(shares, ctx.image_path("population_shares.png"), "Population shares"))
    pop_csv = ctx.folder / "population.csv"
    if ctx.plots and pop_csv.exists():
        frame = pd.read_csv(pop_csv)
        img = plot_population(frame, ctx.image_path("population_payoff.png")) if not frame.empty else None
        if img is not None:
            images.append(img)
    return Section("Population dynamics", "\n".join(md), images, order=20)


# ------------------------------------------------------------------ comparison
def _entries(summary: dict, out: Path) -> dict[str, tuple[dict, Path]]:
    return {
        name: (entry, inside(out, entry.get("folder", slug(name)))) for name, entry in summary["populations"].items()
    }


def side_by_side(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Rows (metric, item), one column per population: "estimate [low, high]"."""
    if table.empty:
        return pd.DataFrame()
    cells = table.assign(cell=[_ci(r.estimate, r.ci_low, r.ci_high) for r in table.itertuples()])
    wide = cells.pivot_table(index=["metric", "item"], columns="population", values="cell", aggfunc="first", sort=False)
    wide = wide.reindex(columns=[p for p in order if p in wide.columns]).fillna(MISSING)
    return wide.reset_index()


#: at most this many clear differences are listed in the report (ranked; comparison.csv has all)
MAX_DIFFERENCES = 12


def ranked_differences(table: pd.DataFrame, order: list[str]) -> list[dict]:
    """Every metric/item whose 95% intervals are disjoint between two populations, ranked by
    how clear the difference is: the difference over its standard error (from the interval
    widths; exact values, e.g. deterministic means, rank first), then its size. Each entry has
    ``metric``, ``item``, ``higher``, ``lower``, their estimates, ``z`` and ``text``."""
    out = []
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            m = overlaps(table, a, b)
            for _, row in m[m["separated"] == True].iterrows():  # noqa: E712 - object column with None
                ea, eb = row[f"estimate_{a}"], row[f"estimate_{b}"]
                hi, lo = (a, b) if ea > eb else (b, a)
                se = math.hypot(*((row[f"ci_high_{p}"] - row[f"ci_low_{p}"]) / (2 * 1.96) for p in (a, b)))
                diff = abs(ea - eb)
                z = diff / se if se > 0 else math.inf
                out.append(
                    {
                        "metric": row["metric"],
                        "item": row["item"],
                        "higher": hi,
                        "lower": lo,
                        "estimate_higher": max(ea, eb),
                        "estimate_lower": min(ea, eb),
                        "z": z,
                        "text": f"{row['metric'].replace('_', ' ')} of {row['item']}: {hi} > {lo} "
                        f"({max(ea, eb):.3f} vs {min(ea, eb):.3f})",
                    }
                )
    out.sort(key=lambda d: (-d["z"], -abs(d["estimate_higher"] - d["estimate_lower"])))
    return out


def clear_differences(table: pd.DataFrame, order: list[str]) -> list[str]:
    """Statements "A > B" for every metric/item whose intervals are disjoint between two
    populations, clearest first (see :func:`ranked_differences`)."""
    return [d["text"] for d in ranked_differences(table, order)]


def plot_metrics(table: pd.DataFrame, order: list[str], path: Path) -> Path | None:
    """Dot-and-whisker panels, one per metric, populations side by side for every item."""
    metrics = [
        m
        for m in ("population_mean_payoff", "mean_payoff", "final_share", "fixation_probability", "rate", "cooperation")
        if m in set(table["metric"])
    ]
    if not metrics:
        return None
    fig = _figure(7.5, 2.6 * len(metrics))
    axes = np.atleast_1d(fig.subplots(len(metrics), 1))
    width = 0.8 / max(1, len(order))
    for ax, metric in zip(axes, metrics):
        part = table[table.metric == metric]
        items = list(dict.fromkeys(part["item"]))[:20]
        for j, pop in enumerate(order):
            sub = part[part.population == pop].set_index("item").reindex(items)
            x = np.arange(len(items)) + (j - (len(order) - 1) / 2) * width
            est = sub["estimate"].to_numpy(dtype=float)
            lo = np.nan_to_num(est - sub["ci_low"].to_numpy(dtype=float), nan=0.0)
            hi = np.nan_to_num(sub["ci_high"].to_numpy(dtype=float) - est, nan=0.0)
            ax.errorbar(
                x,
                est,
                yerr=[np.clip(lo, 0, None), np.clip(hi, 0, None)],
                fmt="o",
                capsize=3,
                label=pop if metric == metrics[0] else None,
            )
        ax.set_xticks(np.arange(len(items)))
        ax.set_xticklabels(items, rotation=20, ha="right", fontsize="small")
        ax.set_ylabel(metric.replace("_", " "))
    fig.legend(loc="outside upper center", fontsize="small", ncols=min(3, len(order)))
    fig.savefig(path, dpi=110)
    return path


def plot_overlaid_shares(entries: dict[str, tuple[dict, Path]], path: Path) -> Path | None:
    """One panel per type, one line per population: mean share over time."""
    series = {}
    for name, (_, folder) in entries.items():
        f = folder / "shares.csv"
        if f.exists():
            shares = pd.read_csv(f)
            if not shares.empty:
                time = _time_column(shares)
                series[name] = (time, mean_trajectories(shares, time))
    if not series:
        return None
    types = list(dict.fromkeys(t for _, tr in series.values() for t in tr["type"]))[:MAX_TYPES_PLOTTED]
    cols = min(3, len(types))
    rows = math.ceil(len(types) / cols)
    fig = _figure(3.2 * cols + 1, 2.6 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, ty in zip(axes, types):
        for name, (time, tr) in series.items():
            part = tr[tr["type"] == ty]
            if not part.empty:
                ax.plot(part[time], part["share"], label=name)
        ax.set_title(str(ty), fontsize="small")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(next(iter(series.values()))[0], fontsize="small")
        ax.set_ylabel("share (mean over runs)", fontsize="small")
    for ax in axes[len(types) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize="x-small", ncols=min(3, len(labels)))
    fig.savefig(path, dpi=110)
    return path


def plot_sweep(table: pd.DataFrame, sweep: dict | None, path: Path) -> Path | None:
    """For a one-key sweep: every metric/item against the swept value, with its interval."""
    if not sweep or len(sweep.get("keys", [])) != 1:
        return None
    key = sweep["keys"][0]
    values = {name: v[key] for name, v in sweep["points"].items()}
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()):
        return None
    data = table[table.population.isin(values)].assign(x=lambda d: d.population.map(values))
    metrics = [
        m
        for m in ("population_mean_payoff", "mean_payoff", "final_share", "fixation_probability", "rate")
        if m in set(data.metric)
    ]
    if not metrics:
        return None
    fig = _figure(7, 2.6 * len(metrics))
    axes = np.atleast_1d(fig.subplots(len(metrics), 1))
    items = sorted(set(data["item"]))
    colour = {item: f"C{i % 10}" for i, item in enumerate(items)}  # the same item, the same colour
    for ax, metric in zip(axes, metrics):
        for item, part in list(data[data.metric == metric].groupby("item", sort=True))[:MAX_TYPES_PLOTTED]:
            part = part.sort_values("x")
            est = part["estimate"].to_numpy(dtype=float)
            err = [
                np.clip(np.nan_to_num(est - part["ci_low"].to_numpy(dtype=float)), 0, None),
                np.clip(np.nan_to_num(part["ci_high"].to_numpy(dtype=float) - est), 0, None),
            ]
            ax.errorbar(
                part["x"],
                est,
                yerr=err,
                marker="o",
                capsize=3,
                label=str(item) if ax is axes[0] else None,
                color=colour[item],
            )
        ax.set_ylabel(metric.replace("_", " "))
    fig.legend(loc="outside right upper", fontsize="x-small")
    axes[-1].set_xlabel(key)
    fig.savefig(path, dpi=110)
    return path


def comparison_markdown(
    summary: dict, out: Path, table: pd.DataFrame, plots: bool, sweep: dict | None = None
) -> Section:
    entries = _entries(summary, out)
    order = list(entries)
    md = [
        f"{len(order)} populations on the same game"
        + (" and seed (common random numbers)" if "seed" in summary else "")
        + ". "
        "Each cell: estimate [95% interval]; `comparison.csv` has the numbers."
    ]
    md += ["", markdown_table(side_by_side(table, order), legend="this population has no such value")]
    diffs = clear_differences(table, order)
    if diffs:
        shown = diffs[:MAX_DIFFERENCES]
        md += [
            "",
            f"**Clear differences** (disjoint 95% intervals): {len(diffs)}"
            + (f", the {len(shown)} clearest" if len(diffs) > len(shown) else "")
            + " (ranked by the difference over its standard error):",
            "",
        ]
        md += [f"- {esc(d)}" for d in shown]
        if len(diffs) > len(shown):
            md += ["", f"… and {len(diffs) - len(shown)} more: every row of `comparison.csv` has its interval."]
    else:
        md += ["", "**Clear differences** (disjoint 95% intervals): none, every interval overlaps its counterpart."]
    images = []
    if plots:
        for fn, name in (
            (lambda p: plot_metrics(table, order, p), "comparison_metrics.png"),
            (lambda p: plot_overlaid_shares(entries, p), "comparison_shares.png"),
            (lambda p: plot_sweep(table, sweep, p), "comparison_sweep.png"),
        ):
            img = fn(out / name)
            if img is not None:
                images.append(img)
    return Section("Comparison of populations", "\n".join(md), images, order=5)


@comparison_section
def populations_comparison(ctx: ReportContext) -> Section | None:
    pops = ctx.summary.get("populations")
    if not pops or len(pops) < 2:
        return None
    path = ctx.folder / "comparison.csv"
    table = pd.read_csv(path) if path.exists() else comparison_table(pops)
    table["item"] = table["item"].astype(str)
    return comparison_markdown(ctx.summary, ctx.folder, table, ctx.plots, ctx.summary.get("sweep"))
