"""The framework of report sections: a :class:`Section` (Markdown and the PNGs it drew), the
:class:`ReportContext` a section reads, the :func:`section` and :func:`comparison_section`
registries, and the Markdown table every section uses. Section modules import this module;
``tournament.report`` imports them (by name, as plugins) and assembles the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .. import games
from ..game import Game
from ..output.outputs import RoundsFile
from .escape import Markdown, md


@dataclass
class Section:
    title: str
    markdown: str
    images: list[Path] = field(default_factory=list)
    order: int = 50  # lower comes first


@dataclass
class ReportContext:
    """Everything a section may read. ``folder`` is the results folder of one population."""

    folder: Path
    summary: dict
    plots: bool = True

    @cached_property
    def matches(self) -> pd.DataFrame:
        path = self.folder / "matches.csv"
        return pd.read_csv(path) if path.exists() else pd.DataFrame()

    @cached_property
    def rounds(self) -> RoundsFile:
        """match id -> per-round arrays, read from ``rounds.npz`` when asked for."""
        return RoundsFile(self.folder / "rounds.npz")

    @cached_property
    def game(self) -> Game:
        g = self.summary["game"]
        if "payoffs" in g:
            return Game(g["payoffs"], actions=g["actions"], name=g["name"], players=g["players"], params=g["params"])
        return games.get(g["name"], **g["params"])

    def image_path(self, name: str) -> Path:
        """Where a section should save a PNG (relative links keep the folder movable)."""
        return self.folder / name


_SECTIONS: list[Callable[[ReportContext], Section | None]] = []


def section(fn: Callable[[ReportContext], Section | None]):
    """Decorator registering a report section."""
    if fn not in _SECTIONS:
        _SECTIONS.append(fn)
    return fn


# Sections shown once, above the per-population parts, when a run has several populations
# (their context is the top results folder and the summary with all populations).
_COMPARISON_SECTIONS: list[Callable[[ReportContext], Section | None]] = []


def comparison_section(fn: Callable[[ReportContext], Section | None]):
    """Decorator registering a section that compares several populations."""
    if fn not in _COMPARISON_SECTIONS:
        _COMPARISON_SECTIONS.append(fn)
    return fn


#: what "—" in a report table means (the legend under tables that have such a cell)
MISSING = "—"


def section_lines(sec: Section, out: Path, level: int = 2) -> list[str]:
    """Markdown lines of a section, its images linked relative to the report folder ``out``."""
    lines = [f"{'#' * level} {sec.title}", "", sec.markdown, ""]
    for img in sec.images:
        rel = Path(img).resolve().relative_to(Path(out).resolve())
        lines += [f"![{md(sec.title)}]({rel.as_posix()})", ""]
    return lines


def _cell(v, floatfmt: str) -> str:
    """One table cell: floats formatted, "—" for every kind of missing value (None, NaN,
    pandas' NA) so that no raw ``nan`` reaches a reader, Markdown a section built itself
    passed through, and any other text escaped (names, labels, e.g. {0,1}|{2})."""
    if v is None or v is pd.NA or v is pd.NaT:
        return MISSING
    if isinstance(v, float) or (
        hasattr(v, "dtype") and getattr(v, "dtype", None) is not None and getattr(v.dtype, "kind", "") == "f"
    ):
        return MISSING if v != v else floatfmt.format(v)
    if isinstance(v, Markdown):
        return v
    return md(v)


def markdown_table(frame: pd.DataFrame, floatfmt: str = "{:.4f}", legend: str | None = None) -> str:
    """A DataFrame as a GitHub Markdown table. Missing values show as "—", explained by
    ``legend`` (default: "no value") under the table."""
    if frame.empty:
        return "(no results)"
    cols = [md(c) for c in frame.columns]
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    missing = False
    for rec in frame.itertuples(index=False):
        cells = [_cell(v, floatfmt) for v in rec]
        missing = missing or MISSING in cells
        rows.append("| " + " | ".join(cells) + " |")
    if missing:
        rows += ["", f"{MISSING}: {legend or 'no value'}"]
    return "\n".join(rows)
