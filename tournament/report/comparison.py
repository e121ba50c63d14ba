"""The report of a ``tournament compare`` folder: the comparison of the files' populations
(the comparison section of :mod:`.populations`) above links to each file's own report, and
rebuilding all of them from the folder (``tournament report`` on a compare folder)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ..analysis.comparison import comparison_table
from ..errors import TournamentError
from . import write_markdown_and_html, write_report
from .escape import Markdown, plain_plots
from .escape import md as esc
from .populations import BACK_LINK, comparison_markdown
from .sections import markdown_table, section_lines


def write_comparison_report(out: Path, summary: dict, table: pd.DataFrame, plots: bool = True) -> Path:
    """``report.md`` (and ``report.html``) of ``tournament compare``: the comparison and links
    to each file's own report."""
    with plain_plots():
        sec = comparison_markdown(summary, out, table, plots)
    lines = [
        f"# Comparison of {esc(', '.join(Path(f).name for f in summary['comparison']))}",
        "",
        f"Game: **{esc(summary['game']['name'])}**",
        "",
    ]
    rows = [
        {
            "population": name,
            "file": e["file"],
            "kind": e["kind"],
            "seed": e["seed"],
            "report": Markdown(f"[{esc(e['folder'])}/report.md]({quote(e['folder'].split('/')[0])}/report.md)"),
        }
        for name, e in summary["populations"].items()
    ]
    # object dtype keeps the Markdown links (pandas would turn them into plain, escaped str)
    lines += [markdown_table(pd.DataFrame(rows, dtype=object)), ""]
    lines += section_lines(sec, out)
    title = f"Comparison of {', '.join(Path(f).name for f in summary['comparison'])}"
    return write_markdown_and_html(Path(out), "\n".join(lines), title, sec.images)


def rebuild_comparison(out: Path, plots: bool = True) -> Path:
    """Rebuild the reports of a ``tournament compare`` folder from its files: each file's
    own report, then the comparison (``tournament report`` on a compare folder)."""
    import json

    out = Path(out)
    summary = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    root = out.resolve()
    done = set()
    for name, entry in summary.get("populations", {}).items():
        sub = out / str(entry.get("folder", "")).split("/")[0]
        if sub in done:
            continue
        done.add(sub)
        if root not in sub.resolve().parents:
            raise TournamentError(f"{out / 'comparison.json'}: population {name!r} points outside the folder")
        if (sub / "summary.json").is_file():
            write_report(sub, plots=plots, header=BACK_LINK)
    path = out / "comparison.csv"
    if path.is_file():
        table = pd.read_csv(path)
    else:
        table = comparison_table(summary["populations"])
    table["item"] = table["item"].astype(str)
    return write_comparison_report(out, summary, table, plots)
