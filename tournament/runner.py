"""``run_scenario``: validate, run every population with the scenario's kind, write outputs."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from . import analysis, kinds, outputs
from .checkpoint import Checkpoint, pending_checkpoint, scenario_fingerprint
from .errors import TournamentError
from .kinds import KindResult, RunOptions
from .scenario import Scenario, load_scenario


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


class RunInterrupted(TournamentError):
    """A run stopped by Ctrl-C (or a failing strategy) with its finished work checkpointed."""


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
    engine: str = "auto",
) -> RunResult:
    """Run a scenario (TOML path, dict or :class:`Scenario`); write results to ``out`` if given.

    The scenario is fully validated before anything runs or anything is written.
    Results do not depend on ``workers`` or the backend (``"processes"`` or ``"dask"``;
    a ``scheduler`` address implies Dask). With ``out``, finished matches are checkpointed
    as they arrive; ``resume=True`` continues an interrupted run in ``out`` and ends with
    exactly the results of an uninterrupted one; ``restart=True`` discards it.
    """
    scenario = source if isinstance(source, Scenario) else load_scenario(source, base_dir=base_dir)
    kind = kinds.get(scenario.kind)
    if scheduler:
        backend = "dask"
    options = RunOptions(
        workers=int(workers), progress=progress, out=str(out) if out else None,
        backend=backend or scenario.execution["backend"],
        scheduler=scheduler or scenario.execution["scheduler"], engine=engine,
    )
    out_path = Path(out) if out else None
    ck = _open_checkpoint(scenario, out_path, resume, restart) if out_path is not None else None
    options.checkpoint = ck
    started = time.perf_counter()
    results: dict[str, KindResult] = {}
    try:
        for pop in scenario.populations:
            res = kind.run(scenario.with_population(pop), replace(options, scope=pop.name))
            res.matches = analysis.tidy_matches(res.matches)
            results[pop.name] = res
    except (KeyboardInterrupt, TournamentError) as exc:
        if ck is None:
            raise
        ck.close()
        again = (f"tournament run {scenario.source} --out {out_path} --resume" if Path(str(scenario.source)).is_file()
                 else f"run_scenario(..., out={str(out_path)!r}, resume=True)")
        if isinstance(exc, KeyboardInterrupt):
            raise RunInterrupted(
                f"interrupted: {len(ck)} finished task(s) are saved in {ck.folder}; continue with: {again}"
            ) from None
        raise _with_note(exc, f"the run stopped; {len(ck)} finished task(s) are kept in {ck.folder}; "
                              f"after fixing the cause, continue with: {again}")
    elapsed = time.perf_counter() - started
    summary = build_summary(scenario, results)
    if len(results) == 1:
        matches = next(iter(results.values())).matches
    else:
        frames = []
        for name, res in results.items():
            m = res.matches.copy()
            m.insert(0, "population", name)
            frames.append(m)
        matches = pd.concat(frames, ignore_index=True)
    if out_path is not None:
        write_results(out_path, scenario, results, summary, elapsed, options)
        ck.discard()
    return RunResult(scenario=scenario, matches=matches, summary=summary, out=out_path, populations=results)


def _with_note(exc: TournamentError, note: str) -> TournamentError:
    """The same error (type and context) with a sentence appended to its message."""
    exc.args = (f"{exc.args[0]} ({note})",) + tuple(exc.args[1:])
    return exc


def _open_checkpoint(scenario: Scenario, out: Path, resume: bool, restart: bool) -> Checkpoint:
    """The checkpoint of a run into ``out``: refuses to overwrite an interrupted run's work
    unless told to resume or restart."""
    if resume and restart:
        raise TournamentError("give --resume or --restart, not both")
    fingerprint, files = scenario_fingerprint(scenario)
    pending = pending_checkpoint(out)
    if pending is not None and not resume and not restart:
        raise TournamentError(
            f"{out} holds an interrupted run ({pending} finished task(s) in {out / '.checkpoint'}); "
            "continue it with --resume, discard it with --restart, or choose another --out folder"
        )
    ck = Checkpoint(out, fingerprint, files, resume=resume and pending is not None)
    for warning in ck.warnings:
        warnings.warn(warning, stacklevel=3)
    return ck


def game_summary(game) -> dict:
    d: dict[str, Any] = {
        "name": game.name, "params": game.params, "players": list(game.players),
        "actions": [list(a) for a in game.actions], "common_payoff": game.is_common_payoff,
        "symmetric": game.is_symmetric,
    }
    if game.n_profiles * game.n_players <= 4096:
        d["payoffs"] = game.payoffs.tolist()
    return d


def population_summary(scenario: Scenario, result: KindResult) -> dict:
    from . import analysis

    summary = dict(result.summary)
    summary.update(analysis.summary_fields(scenario.game, result.matches))
    return summary


def build_summary(scenario: Scenario, results: dict[str, KindResult]) -> dict:
    head = {
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
        return head
    for key, value in scenario.extra.items():  # e.g. the [sweep] design
        head[key] = value
    head["populations"] = {}
    for pop in scenario.populations:
        entry = {"entrants": [e.to_dict() for e in pop.entrants]}
        entry.update(population_summary(scenario, results[pop.name]))
        head["populations"][pop.name] = entry
    return head


def write_results(out: Path, scenario: Scenario, results: dict[str, KindResult], summary: dict,
                  elapsed: float, options: RunOptions) -> None:
    """Write the results folder. Files an earlier run wrote there (listed in its
    ``run_info.json``) are removed first, so that nothing stale — a ``rounds.npz`` this run
    does not keep, a population table of another kind — is read with the new results;
    files the user put there are left alone."""
    out.mkdir(parents=True, exist_ok=True)
    outputs.remove_previous_outputs(out)
    before = outputs.listing(out)
    multi = len(results) > 1
    for pop in scenario.populations:
        res = results[pop.name]
        folder = out / outputs.slug(pop.name) if multi else out
        outputs.write_csv(folder / "matches.csv", res.matches)
        outputs.write_parquet(folder / "matches.parquet", res.matches)
        if res.rounds:
            outputs.write_rounds(folder / "rounds.npz", res.rounds)
        for name, table in res.tables.items():
            outputs.write_csv(folder / f"{name}.csv", table)
        if multi:
            sub = {k: v for k, v in summary.items() if k != "populations"}
            sub.update(summary["populations"][pop.name])
            sub["population"] = pop.name
            outputs.write_json(folder / "summary.json", sub)
    outputs.write_json(out / "summary.json", summary)
    if multi:
        from .population.compare import write_comparison

        write_comparison(out, summary["populations"], scenario.extra.get("sweep"))
    from .report import write_report

    write_report(out, plots=scenario.report.get("plots", True))
    outputs.write_json(out / "run_info.json", {
        "elapsed_seconds": round(elapsed, 3), "workers": options.workers, "backend": options.backend,
        "scheduler": options.scheduler, "resumed_tasks": options.checkpoint.loaded if options.checkpoint else 0,
        "software": outputs.software_versions(),
        "files": sorted(outputs.listing(out) - before | {"run_info.json"}),
    })
