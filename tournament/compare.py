"""``tournament compare``: run scenario files that share a game and compare all their
populations side by side (the comparison table is :mod:`tournament.analysis.comparison`, its
report :mod:`tournament.report.populations`; a single file's ``[[populations]]`` and ``[sweep]``
are compared by :func:`~tournament.runner.run_scenario` itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .errors import TournamentError
from .scenario.load import load_scenario
from .scenario.validation import folder_name_problem, slug


def _game_difference(a, b) -> str:
    if a.n_players != b.n_players:
        return f"{a.n_players} vs {b.n_players} players"
    if a.actions != b.actions:
        return f"actions {[list(x) for x in a.actions]} vs {[list(x) for x in b.actions]}"
    diff = np.argwhere(a.payoffs != b.payoffs)
    prof = tuple(int(x) for x in diff[0][:-1])
    return f"payoffs differ, e.g. at {a.label(prof)}: {a.payoffs[prof].tolist()} vs {b.payoffs[prof].tolist()}"


def compare_files(
    files: Iterable[str | Path], out: str | Path, workers: int = 1, *, progress: bool = False, **run_options
) -> dict:
    """Run scenario files that share a game and compare all their populations side by side.

    Every file is validated (and the games checked equal) before anything runs. Each file's
    results go to ``out/<file stem>/``; ``out`` gets ``comparison.csv``, ``comparison.json``
    and ``report.md``. Each file keeps its own seed (give them the same seed for common
    random numbers). ``run_options`` (``resume``, ``restart``, ``backend``, ``scheduler``)
    go to every :func:`~tournament.runner.run_scenario`. Returns the comparison summary.
    """
    paths = [Path(f) for f in files]
    if len(paths) < 2:
        raise TournamentError("compare needs at least two scenario files")
    scenarios = [load_scenario(f) for f in paths]
    first = scenarios[0]
    for f, sc in zip(paths[1:], scenarios[1:]):
        if sc.game != first.game:
            raise TournamentError(
                f"{f}: its game {sc.game.name!r} is not the game of {paths[0]} ({first.game.name!r}): "
                f"{_game_difference(first.game, sc.game)}; compare runs populations on one game"
            )
    out = Path(out)
    stems: list[str] = []
    for f in paths:
        problem = folder_name_problem(f.stem)
        if problem:
            raise TournamentError(
                f"{f}: its results folder would be named after the file, but {f.stem!r} {problem}; rename the file"
            )
        stem = slug(f.stem)
        while stem.lower() in {s.lower() for s in stems}:  # a.toml and A.toml: distinct folders
            stem += "_"
        stems.append(stem)
    # the run machinery (Mesa, pandas, the kinds' models) is imported once every file is
    # valid, so that a bad file is reported at once
    from .output.folder import ResultsFolder

    folder = ResultsFolder(out)
    folder.prepare(stems)
    with folder:  # one comparison at a time in this folder; each file's run locks its own
        return _compare(paths, scenarios, stems, folder.root, workers, progress, run_options)


def _compare(files, scenarios, stems, out: Path, workers, progress, run_options) -> dict:
    from .jsonable import jsonable
    from .output.outputs import write_comparison, write_json
    from .output.summary import RunSummary
    from .report.comparison import write_comparison_report
    from .report.populations import BACK_LINK
    from .runner import run_scenario

    populations: dict[str, dict] = {}
    entries: dict[str, dict] = {}
    for f, sc, stem in zip(files, scenarios, stems):
        res = run_scenario(
            sc, out=out / stem, workers=workers, progress=progress, report_header=BACK_LINK, **run_options
        )
        run = RunSummary.from_json(jsonable(res.summary))
        if run.multi:
            for pname, results in run.results.items():
                assert pname is not None  # a run of several populations names every one
                label = f"{stem}/{pname}"
                populations[label] = results.to_json()
                entries[label] = {"file": str(f), "seed": sc.seed, "kind": sc.kind, "folder": f"{stem}/{slug(pname)}"}
        else:
            populations[stem] = run.to_json()
            entries[stem] = {"file": str(f), "seed": sc.seed, "kind": sc.kind, "folder": stem}
    table = write_comparison(out, populations)
    summary = {
        "comparison": [str(f) for f in files],
        "game": res.summary["game"],
        "populations": {name: {**entries[name], **populations[name]} for name in populations},
    }
    write_json(out / "comparison.json", summary)
    write_comparison_report(out, summary, table)
    return summary
