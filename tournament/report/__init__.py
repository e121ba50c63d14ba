"""The human report of a results folder: ``report.md`` (and, with plots, ``report.html``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..outputs import atomic_write_text


def write_report(out: str | Path, plots: bool = True) -> Path:
    """(Re)build ``report.md`` from the saved ``summary.json`` and ``matches.csv``."""
    out = Path(out)
    summary = json.loads((out / "summary.json").read_text())
    lines = [f"# {summary['scenario']}", ""]
    if summary.get("description"):
        lines += [summary["description"], ""]
    game = summary["game"]
    lines += [f"Game: **{game['name']}** ({len(game['players'])} players), kind: {summary['kind']}, "
              f"seed: {summary['seed']}", ""]
    pops = summary.get("populations") or {summary["scenario"]: summary}
    for name, pop in pops.items():
        if len(pops) > 1:
            lines += [f"## Population: {name}", ""]
        lines += ["## Standings", "", _markdown(pd.DataFrame(pop.get("standings", []))), ""]
    path = out / "report.md"
    atomic_write_text(path, "\n".join(lines))
    return path


def _markdown(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(no results)"
    cols = list(frame.columns)
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in frame.itertuples(index=False):
        rows.append("| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in rec) + " |")
    return "\n".join(rows)
