"""``run_scenario``: validate, run every population with the scenario's kind, write outputs."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from . import kinds
from .analysis import mechanism
from .analysis.matches import summary_fields, tidy_matches
from .errors import RunInterrupted, TournamentError
from .execution.checkpoint import FOLDER, Checkpoint, CheckpointError, pending_checkpoint, scenario_fingerprint
from .execution.records import validator
from .jsonable import jsonable
from .kinds import Kind, KindResult, RunOptions
from .output import outputs
from .output.folder import FolderInUse, ResultsFolder, os_error_message
from .output.outputs import MatchStream
from .output.summary import RunSummary
from .report import write_report
from .scenario import budget
from .scenario.load import load_scenario
from .scenario.spec import Scenario
from .scenario.validation import slug


@dataclass
class RunResult:
    """What ``run_scenario`` returns: ``matches`` (the ``matches.csv`` columns; with several
    populations a leading ``population`` column), ``summary`` (the ``summary.json`` dict),
    ``out`` (results folder or None) and the per-population kind results."""

    scenario: Scenario
    matches: pd.DataFrame
    summary: dict
    out: Path | None = None
    populations: dict[str, KindResult] = field(default_factory=dict)

    @property
    def standings(self) -> pd.DataFrame:
        if len(self.populations) == 1:
            return pd.DataFrame(self.summary.get("standings", []))
        frames = []
        for name, res in self.populations.items():
            st = pd.DataFrame(res.summary.get("standings", []))
            st.insert(0, "population", name)
            frames.append(st)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def failures(self) -> tuple[int, int, list[str]]:
        """(failed matches, all matches, the first few distinct error messages) over every
        population: matches forfeited under ``on_error = "forfeit"``."""
        failed = total = 0
        errors: list[str] = []
        summaries = [self.summary] if "populations" not in self.summary else list(self.summary["populations"].values())
        for s in summaries:
            failed += int(s.get("failed_matches") or 0)
            total += int(s.get("n_matches") or 0)
            errors += [e for e in s.get("first_errors", []) if e not in errors]
        return failed, total, errors[:3]


def run_scenario(
    source: str | Path | dict | Scenario,
    out: str | Path | None = None,
    workers: int = 1,
    *,
    progress: bool = False,
    base_dir: str | Path | None = None,
    resume: bool = False,
    restart: bool = False,
    backend: str | None = None,
    scheduler: str | None = None,
    report_header: str = "",
    engine: str = "auto",
) -> RunResult:
    """Run a scenario (TOML path, dict or :class:`Scenario`); write results to ``out`` if given.

    The scenario is fully validated (its size too: a run that cannot fit in memory is refused)
    before anything runs or anything is written. Results do not depend on ``workers`` or the
    backend (``"processes"`` or ``"dask"``; a ``scheduler`` address implies Dask). With
    ``out``, the folder is locked for the run, finished matches are checkpointed as they
    arrive, and the new files replace the previous ones only once all are written;
    ``resume=True`` continues an interrupted run in ``out`` and ends with exactly the results
    of an uninterrupted one; ``restart=True`` discards it. ``report_header`` is a Markdown
    line put under the report's title (e.g. a link back to a comparison).
    """
    scenario = source if isinstance(source, Scenario) else load_scenario(source, base_dir=base_dir)
    kind = kinds.get(scenario.kind)
    if resume and restart:
        raise TournamentError("give --resume or --restart, not both")
    if scheduler:
        backend = "dask"
    workers = int(workers)
    if workers < 1:
        raise TournamentError(f"--workers must be at least 1, got {workers}")
    budget.check_run(scenario, workers)
    options = RunOptions(
        workers=workers,
        progress=progress,
        out=None,
        backend=backend or scenario.execution["backend"],
        scheduler=scheduler or scenario.execution["scheduler"],
        engine=engine,
    )
    if out is None:
        results, _ = _run_populations(scenario, kind, options, {})
        return _result(scenario, results, None, build_summary(scenario, results))
    given = Path(out)
    folder = ResultsFolder(given)
    options.out = str(folder.root)
    multi = len(scenario.populations) > 1
    folder.prepare([pop.name for pop in scenario.populations] if multi else [])
    with folder:
        ck = _open_checkpoint(scenario, kind, folder.root, resume, restart)
        options.checkpoint = ck
        streams: dict[str, MatchStream] = {}
        try:
            staging = folder.fresh_staging()
            for pop in scenario.populations:
                streams[pop.name] = MatchStream(staging / slug(pop.name) if multi else staging)
            results, elapsed = _run_populations(scenario, kind, options, streams)
            summary = build_summary(scenario, results)
            write_results(staging, scenario, results, summary, elapsed, options, streams, report_header)
            folder.commit()
        except BaseException as exc:
            for stream in streams.values():
                stream.abort()
            ck.close()
            folder.discard_staging()
            err = _stopped(exc, scenario, given, ck)
            if err is exc:
                raise
            raise err from None
        ck.discard()
    return _result(scenario, results, given, summary)


def _run_populations(
    scenario: Scenario, kind, options: RunOptions, streams: dict[str, MatchStream]
) -> tuple[dict[str, KindResult], float]:
    started = time.perf_counter()
    results: dict[str, KindResult] = {}
    for pop in scenario.populations:
        res = kind.run(scenario.with_population(pop), replace(options, scope=pop.name, sink=streams.get(pop.name)))
        res.matches = tidy_matches(res.matches)
        results[pop.name] = res
    return results, time.perf_counter() - started


def _result(scenario: Scenario, results: dict[str, KindResult], out: Path | None, summary: dict) -> RunResult:
    if len(results) == 1:
        matches = next(iter(results.values())).matches
    else:
        frames = []
        for name, res in results.items():
            m = res.matches.copy()
            m.insert(0, "population", name)
            frames.append(m)
        matches = pd.concat(frames, ignore_index=True)
    return RunResult(scenario=scenario, matches=matches, summary=summary, out=out, populations=results)


def _stopped(exc: BaseException, scenario: Scenario, out: Path, ck: Checkpoint) -> BaseException:
    """What a stopped run raises: Ctrl-C and failures say where the finished tasks are and
    how to continue; an OS error (disk full …) becomes one message."""
    kept = out / FOLDER
    again = (
        f"tournament run {scenario.source} --out {out} --resume"
        if Path(str(scenario.source)).is_file()
        else f"run_scenario(..., out={str(out)!r}, resume=True)"
    )
    if isinstance(exc, KeyboardInterrupt):
        return RunInterrupted(f"interrupted: {len(ck)} finished task(s) are saved in {kept}; continue with: {again}")
    if isinstance(exc, OSError):
        return TournamentError(
            f"cannot write the results: {os_error_message(exc)}; {len(ck)} finished task(s) are kept in {kept} "
            f"and the previous results in {out} are unchanged; after fixing the cause, continue with: {again}"
        )
    if isinstance(exc, TournamentError) and not isinstance(exc, (CheckpointError, FolderInUse)):
        return _with_note(
            exc,
            f"the run stopped; {len(ck)} finished task(s) are kept in {kept}; "
            f"after fixing the cause, continue with: {again}",
        )
    return exc


def _with_note(exc: TournamentError, note: str) -> TournamentError:
    """The same error (type and context) with a sentence appended to its message."""
    exc.args = (f"{exc.args[0]} ({note})",) + tuple(exc.args[1:])
    return exc


def _open_checkpoint(scenario: Scenario, kind: Kind, out: Path, resume: bool, restart: bool) -> Checkpoint:
    """The checkpoint of a run into ``out``: refuses to overwrite an interrupted run's work
    unless told to resume or restart, and refuses to resume from a checkpoint that is not
    safe to read (a link, not a file) or holds records that do not belong to this run."""
    fingerprint, files = scenario_fingerprint(scenario)
    try:
        pending = pending_checkpoint(out)
    except CheckpointError:
        if not restart:
            raise
        pending = None  # --restart removes whatever is there (never following a link)
    if pending is not None and not resume and not restart:
        raise TournamentError(
            f"{out} holds an interrupted run ({pending} finished task(s) in {out / FOLDER}); "
            "continue it with --resume, discard it with --restart, or choose another --out folder"
        )
    try:
        ck = Checkpoint(
            out,
            fingerprint,
            files,
            resume=resume and pending is not None,
            validate=validator(scenario, kind.checks(scenario) if kind.checks else {}),
        )
    except OSError as exc:
        raise TournamentError(f"{out}: cannot write the checkpoint: {os_error_message(exc)}") from None
    for warning in ck.warnings:
        warnings.warn(warning, stacklevel=3)
    return ck


def game_summary(game) -> dict:
    d: dict[str, Any] = {
        "name": game.name,
        "params": game.params,
        "players": list(game.players),
        "actions": [list(a) for a in game.actions],
        "common_payoff": game.is_common_payoff,
        "symmetric": game.is_symmetric,
    }
    if game.n_profiles * game.n_players <= 4096:
        d["payoffs"] = game.payoffs.tolist()
    return d


def population_summary(scenario: Scenario, result: KindResult) -> dict:
    summary = dict(result.summary)
    exact = scenario.match.noise == 0 and scenario.match.prob_end is None  # no chance-identical logs
    summary.update(summary_fields(scenario.game, result.matches, scenario.analysis, exact))
    counts = mechanism.mechanism_counts(result.matches)
    if counts:
        summary["mechanisms"] = counts
    return summary


def _with_setup(entry: dict, scenario: Scenario, entrants) -> dict:
    """Add what strategies report about their set-up (e.g. the hagglers' hypothesis counts)."""
    setup = mechanism.setup_summary(scenario.game, entrants)
    if setup:
        entry["strategy_setup"] = setup
    return entry


def build_summary(scenario: Scenario, results: dict[str, KindResult]) -> dict:
    head: dict[str, Any] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "source": scenario.source,
        "seed": scenario.seed,
        "seed_given": scenario.seed_given,
        "game": game_summary(scenario.game),
        "kind": scenario.kind,
        "settings": scenario.settings_dict(),
    }
    if len(results) == 1:
        (pop,) = scenario.populations
        head["entrants"] = [e.to_dict() for e in pop.entrants]
        head.update(population_summary(scenario, results[pop.name]))
        return _with_setup(head, scenario, pop.entrants)
    for key, value in scenario.extra.items():  # e.g. the [sweep] design
        head[key] = value
    head["populations"] = {}
    for pop in scenario.populations:
        entry: dict[str, Any] = {"entrants": [e.to_dict() for e in pop.entrants]}
        entry.update(population_summary(scenario, results[pop.name]))
        head["populations"][pop.name] = _with_setup(entry, scenario, pop.entrants)
    return head


def write_results(
    out: Path,
    scenario: Scenario,
    results: dict[str, KindResult],
    summary: dict,
    elapsed: float,
    options: RunOptions,
    streams: dict[str, MatchStream] | None = None,
    report_header: str = "",
) -> None:
    """Write the results files into ``out`` (the staging folder of a run: the previous
    results are replaced by these only once all are written, see ``results_folder``).
    ``matches.csv`` and ``rounds.npz`` of the populations whose ``streams`` wrote them as
    matches arrived are already there."""
    out.mkdir(parents=True, exist_ok=True)
    streams = streams or {}
    multi = len(results) > 1
    for pop in scenario.populations:
        res = results[pop.name]
        folder = out / slug(pop.name) if multi else out
        stream = streams.get(pop.name)
        if stream is None or not stream.used:
            outputs.write_csv(folder / "matches.csv", res.matches)
            if res.rounds:
                outputs.write_rounds(folder / "rounds.npz", res.rounds)
        outputs.write_parquet(folder / "matches.parquet", res.matches)
        for name, table in res.tables.items():
            outputs.write_csv(folder / f"{name}.csv", table)
        if multi:
            # the population's own summary.json: the run's head, then its results; its name goes
            # under "population_name" ("population" is the population kinds' dynamics summary)
            sub = {k: v for k, v in summary.items() if k != "populations"}
            sub.update(summary["populations"][pop.name])
            sub["population_name"] = pop.name
            outputs.write_json(folder / "summary.json", RunSummary.from_json(jsonable(sub)).to_json())
    outputs.write_json(out / "summary.json", RunSummary.from_json(jsonable(summary)).to_json())
    if multi:
        outputs.write_comparison(out, summary["populations"], scenario.extra.get("sweep"))
    write_report(out, plots=scenario.report.get("plots", True), header=report_header)
    outputs.write_json(
        out / "run_info.json",
        {
            "elapsed_seconds": round(elapsed, 3),
            "workers": options.workers,
            "backend": options.backend,
            "scheduler": options.scheduler,
            "resumed_tasks": options.checkpoint.loaded if options.checkpoint else 0,
            "software": outputs.software_versions(),
            "files": sorted(outputs.listing(out) | {"run_info.json"}),
        },
    )
