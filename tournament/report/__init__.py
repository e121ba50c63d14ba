"""The human report of a results folder: ``report.md`` (and, with plots, ``report.html``).

The report is a list of sections. A section is a function ``fn(ctx) -> Section | None``
registered with :func:`section`; it reads what it needs from the :class:`ReportContext`
(both in :mod:`.sections`, which section modules import)
(summary, matches table, per-round data, the game) and returns Markdown plus the PNG
files it drew. Modules holding sections are listed in ``SECTION_MODULES`` and imported
when a report is built, so strategy-specific content (e.g. switcher theory, haggler
demands) lives next to its own code and appears whenever the data is there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ..output.outputs import atomic_write_text, read_summary, subfolder
from ..plugins import import_modules
from .escape import md, md_block, plain_plots, render_html
from .sections import (
    _COMPARISON_SECTIONS,
    _SECTIONS,
    MISSING,
    ReportContext,
    Section,
    markdown_table,
    section,
    section_lines,
)

# Modules that register sections (imported lazily; missing modules are skipped).
SECTION_MODULES: list[str] = [
    "tournament.report.matches",
    "tournament.report.populations",
    "tournament.report.switcher",
    "tournament.report.mechanism",
]


def _load_sections() -> None:
    import_modules(SECTION_MODULES)


def _in_module_order(fns: list[Callable[[ReportContext], Section | None]]) -> list[Callable]:
    """Registered sections in the order of ``SECTION_MODULES`` (then of registration), whatever
    order their modules happened to be imported in (sections of equal ``order`` keep it)."""
    rank = {name: i for i, name in enumerate(SECTION_MODULES)}
    return sorted(fns, key=lambda fn: rank.get(fn.__module__, len(rank)))


def _interval(row: dict) -> str:
    if row.get("deterministic"):
        return "exact (deterministic: one observation per seating)"
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return MISSING
    return f"[{lo:.4f}, {hi:.4f}]"


def standings_frame(standings: list[dict]) -> pd.DataFrame:
    """The standings as shown: rank, entrant, mean payoff, its interval, observations, seats."""
    rows = []
    for r in standings:
        row = {
            "rank": r.get("rank"),
            "entrant": r.get("entrant"),
            "mean payoff": r.get("mean_payoff"),
            "95% interval": _interval(r),
            "n": r.get("n"),
        }
        if "seats" in r:
            row["match-seats"] = r["seats"]
        rows.append(row)
    return pd.DataFrame(rows)


def standings_note(summary: dict) -> str:
    """What the standings' numbers mean for this kind of tournament."""
    kind = summary.get("kind", "round_robin")
    st = summary.get("standings") or []
    if kind == "random_matching":
        return (
            "Mean payoff per stage game of each type's individuals over a whole run (every generation), "
            "with a Student-t interval over the independent runs (n = runs)."
        )
    what = (
        "Mean payoff per round over all of an entrant's match-seats"
        if kind == "round_robin"
        else "**Payoff in the types' round robin**, not success in the population: each type's mean payoff per "
        "round against every type (itself included) with equal weight. Which type the population dynamics "
        "favour is in the final shares below; a type can rank first here and still die out"
    )
    text = (
        f"{what}. The 95% interval is clustered by match and stratified by seating: it says how far the "
        "mean could move if the tournament were played again with another seed (not against other "
        "opponents). n counts independent observations: the repetitions of a deterministic seating are "
        'byte-identical and count once ("deterministic: one observation").'
    )
    if st and all(r.get("deterministic") for r in st):
        text += " Every match here is deterministic, so every mean is exact."
    return text


@section
def standings_section(ctx: ReportContext) -> Section:
    st = ctx.summary.get("standings", [])
    if not st:
        return Section("Standings", "(no results)", order=10)
    title = "Standings" if ctx.summary.get("kind", "round_robin") == "round_robin" else "Standings of the types"
    return Section(title, standings_note(ctx.summary) + "\n\n" + markdown_table(standings_frame(st)), order=10)


@section
def failures_section(ctx: ReportContext) -> Section | None:
    """Forfeited matches, loudly, at the top of the report."""
    failed = int(ctx.summary.get("failed_matches") or 0)
    if not failed:
        return None
    total = int(ctx.summary.get("n_matches") or 0)
    lead = (
        f"**All {total} matches failed**: nothing was played to the end, so there are no standings or rates."
        if failed >= total
        else f'**{failed} of {total} matches failed** (`on_error = "forfeit"`) and are left out of the standings '
        "and the rates; their rows in `matches.csv` have `status = failed` and the error."
    )
    errors = "\n".join(f"- `{e}`" for e in ctx.summary.get("first_errors", []))
    return Section("Failed matches", lead + ("\n\nFirst errors:\n\n" + errors if errors else ""), order=1)


def build_sections(ctx: ReportContext) -> list[Section]:
    _load_sections()
    out = []
    for fn in _in_module_order(_SECTIONS):
        sec = fn(ctx)
        if sec is not None:
            out.append(sec)
    return sorted(out, key=lambda s: s.order)


def write_report(out: str | Path, plots: bool = True, header: str = "") -> Path:
    """(Re)build ``report.md`` (and ``report.html``) from the saved ``summary.json``,
    ``matches.csv`` and ``rounds.npz``; ``header`` is a Markdown line under the title, built
    by the caller from escaped parts.

    Every text that comes from the scenario or the folder is escaped (see ``report.escape``),
    and ``report.html`` embeds only the images drawn here, so re-rendering a received
    folder shows its text as text and reads no other file."""
    out = Path(out).resolve()
    summary = read_summary(out)
    with plain_plots():
        return _write_report(out, summary, plots, header)


def _write_report(out: Path, summary: dict, plots: bool, header: str = "") -> Path:
    lines = [f"# {md(summary['scenario'])}", ""]
    if header:
        lines += [header, ""]
    if summary.get("description"):
        lines += [md_block(summary["description"]), ""]
    game = summary["game"]
    lines += [
        f"Game: **{md(game['name'])}** ({len(game['players'])} players), kind: {md(summary['kind'])}, "
        f"seed: {md(summary['seed'])}",
        "",
    ]
    pops = summary.get("populations") or {}
    folders = {None: out} if not pops else {name: subfolder(out, name) for name in pops}
    images: list[Path] = []
    if pops:
        _load_sections()
        ctx = ReportContext(folder=out, summary=summary, plots=plots)
        secs = [sec for sec in (fn(ctx) for fn in _in_module_order(_COMPARISON_SECTIONS)) if sec is not None]
        for sec in sorted(secs, key=lambda s: s.order):
            lines += section_lines(sec, out)
            images += sec.images
    for name, folder in folders.items():
        pop_summary = summary if name is None else {**summary, **pops[name]}
        ctx = ReportContext(folder=folder, summary=pop_summary, plots=plots)
        if name is not None:
            lines += [f"## Population: {md(name)}", ""]
        for sec in build_sections(ctx):
            lines += section_lines(sec, out, level=2 if name is None else 3)
            images += sec.images
    return write_markdown_and_html(out, "\n".join(lines), summary["scenario"], images)


def write_markdown_and_html(out: Path, text: str, title: str, images: Sequence[Path] = ()) -> Path:
    """Write ``report.md`` and a self-contained ``report.html`` (the PNGs in ``images``, the
    ones the report drew, embedded as data URIs)."""
    path = Path(out) / "report.md"
    atomic_write_text(path, text)
    atomic_write_text(Path(out) / "report.html", markdown_to_html(text, Path(out), title, images))
    return path


# Wide tables scroll inside their own box (.table-scroll) instead of widening the page.
_CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}.table-scroll{max-width:100%;overflow-x:auto;margin:.8em 0}
table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .45em;text-align:left}th{background:#f2f4f7}
tr:nth-child(even) td{background:#fafbfc}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
code{background:#f3f3f3;padding:0 .2em;overflow-wrap:anywhere}h1{border-bottom:2px solid #ddd}
h2{border-bottom:1px solid #eee;margin-top:1.6em}"""


def markdown_to_html(text: str, base: Path, title: str, images: Sequence[Path] = ()) -> str:
    """Render the report's Markdown (Python-Markdown with tables, raw HTML disabled) into one
    HTML page whose images — only those in ``images`` — are embedded, so the file can be
    mailed or archived on its own."""
    import html

    body = render_html(text, Path(base), images)
    # links between reports (e.g. a comparison and its sub-reports) lead to the HTML versions
    body = re.sub(r'href="((?![a-z]+:)[^"]*report)\.md"', r'href="\1.html"', body)
    body = body.replace("<table>", '<div class="table-scroll"><table>').replace("</table>", "</table></div>")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(str(title))}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
