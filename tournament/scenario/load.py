"""Scenario files: load TOML (or a dict), validate strictly, build a :class:`~.spec.Scenario`.

Everything is checked before anything runs: unknown keys, wrong types, unknown games and
strategies (with close-match suggestions), parameters a strategy does not take, and
whether every entrant can actually sit in the game. Errors name the file and key path.
"""

from __future__ import annotations

import gc
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import strategies as strategies_pkg

from .. import games as games_lib
from .. import kinds as kinds_mod
from ..analysis.settings import ANALYSIS_KEYS
from ..errors import GameError, ScenarioError, StrategyError
from ..game import Game
from ..seeding import fresh_seed
from ..view import History, MatchView
from . import budget, sizes
from .spec import EntrantSpec, MatchSettings, Population, Scenario, default_entrant_name
from .sweep import parse_sweep
from .validation import (
    Table,
    depth_problem,
    folder_clash,
    folder_name_problem,
    non_negative_int,
    open_probability,
    positive_int,
    probability,
    text_problem,
)

#: largest scenario file read (a scenario is a few kB; anything this big is not one)
MAX_FILE_BYTES = 16 * 1024 * 1024
#: largest magnitude of a payoff (sums over 10^12 rounds stay exact to ~1e-4 relative)
MAX_PAYOFF = 1e15
#: longest per-match time limit (seconds; ~115 days, within what a timer signal can hold)
MAX_TIME_LIMIT = 1e7


REPORT_KEYS: dict[str, tuple[Any, Any, str]] = {
    # key: (type, default, description)
    "traces": (int, 1, "repetitions per pairing whose per-round traces are saved (0: none)"),
    "plots": (bool, True, "draw PNG plots and the HTML report"),
    "title": (str, "", "report title (default: scenario name)"),
}

#: parsers of extra top-level scenario tables: key -> parser(table, scenario)
TOP_LEVEL_TABLES: dict[str, Callable[[Table, Scenario], Any]] = {"sweep": parse_sweep}


def load_scenario(source: str | Path | dict, *, base_dir: str | Path | None = None) -> Scenario:
    """Load and validate a scenario from a TOML file path or a dict."""
    if isinstance(source, dict):
        data = source
        label = "<dict>"
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        stem = "scenario"
    else:
        path = Path(source)
        label = str(path)
        if not path.is_file():
            raise ScenarioError("scenario file not found" if not path.exists() else "not a regular file", source=label)
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ScenarioError(f"cannot read: {exc.strerror or exc}", source=label) from None
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioError(f"larger than {MAX_FILE_BYTES // 2**20} MB; not a scenario file", source=label)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ScenarioError(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8", source=label
            ) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"not valid TOML: {exc}", source=label) from None
        except RecursionError:
            raise ScenarioError(
                "not a scenario: arrays or tables nested thousands of levels deep", source=label
            ) from None
        base = Path(base_dir) if base_dir is not None else path.resolve().parent
        stem = path.stem
    return parse_scenario(data, source=label, base_dir=base, default_name=stem)


def parse_scenario(data: dict, *, source: str, base_dir: Path, default_name: str = "scenario") -> Scenario:
    deep = depth_problem(data)
    if deep is not None:
        raise ScenarioError(deep[1], source=source, key=deep[0] or None)
    top = Table(data, "", source)
    name = top.text("name", default_name)
    description = top.get("description", str, "")
    seed = top.get("seed", int, None, check=non_negative_int, expect="a non-negative integer")
    seed_given = seed is not None
    if seed is None:
        seed = fresh_seed()

    game, game_spec = parse_game(top.table("game"))

    tt = top.table("tournament", {})
    kind_names = kinds_mod.names()
    kind = tt.get("kind", str, "round_robin", choices=kind_names)
    turns = tt.get("turns", int, None, check=positive_int, expect="a positive integer")
    prob_end = tt.get("prob_end", float, None, check=open_probability, expect="a probability in (0, 1]")
    if turns is None and prob_end is None:
        turns = 200
    noise = tt.get("noise", float, 0.0, check=probability, expect="a probability in [0, 1]")
    repetitions = tt.get("repetitions", int, 1, check=positive_int, expect="a positive integer")
    reveal_length = tt.get("reveal_length", bool, True)
    match = MatchSettings(turns=turns, prob_end=prob_end, noise=float(noise), reveal_length=reveal_length)
    execution = {
        "on_error": tt.get("on_error", str, "abort", choices=["abort", "forfeit"]),
        "time_limit": tt.get(
            "time_limit",
            float,
            None,
            check=lambda v: 0 < v <= MAX_TIME_LIMIT,
            expect=f"a positive number of seconds per match, at most {MAX_TIME_LIMIT:g}",
        ),
        "backend": tt.get("backend", str, "processes", choices=["processes", "dask"]),
        "scheduler": tt.get("scheduler", str, None, expect="a Dask scheduler address like tcp://host:8786"),
    }
    if execution["scheduler"] is not None and execution["backend"] != "dask":
        raise tt.error('a scheduler address needs backend = "dask"', "scheduler")

    has_entrants = "entrants" in top
    has_pops = "populations" in top
    if has_entrants and has_pops:
        raise top.error("give either [[entrants]] or [[populations]], not both", "populations")
    if not has_entrants and not has_pops:
        raise top.error("required: [[entrants]] (or [[populations]] to compare several)", "entrants")
    if has_entrants:
        populations = [Population(name, parse_entrants(top.tables("entrants"), base_dir, top))]
    else:
        populations = []
        seen = set()
        for pt in top.tables("populations"):
            pname = pt.text("name")
            if pname in seen:
                raise pt.error(f"duplicate population name {pname!r}", "name")
            problem = folder_name_problem(pname)
            if problem:
                raise pt.error(f"population name {pname!r} {problem}", "name")
            seen.add(pname)
            populations.append(Population(pname, parse_entrants(pt.tables("entrants"), base_dir, pt)))
            pt.finish()
        if not populations:
            raise top.error("[[populations]] is empty", "populations")

    rt = top.table("report", {})
    report = {}
    for key, (typ, default, _doc) in REPORT_KEYS.items():
        report[key] = rt.text(key, default) if typ is str else rt.get(key, typ, default)
    if report["traces"] < 0:
        raise rt.error("expected a non-negative integer", "traces")
    rt.finish()

    at = top.table("analysis", {})
    analysis_settings = {key: at.get(key, typ, default) for key, (typ, default, _doc) in ANALYSIS_KEYS.items()}
    if analysis_settings["cycle_min_repeats"] < 2:
        raise at.error("expected an integer >= 2", "cycle_min_repeats")
    if not 0.0 <= analysis_settings["cycle_min_tail"] <= 1.0:
        raise at.error("expected a fraction in [0, 1]", "cycle_min_tail")
    if analysis_settings["coalition_outsiders"] not in ("correlated", "independent"):
        raise at.error("expected 'correlated' or 'independent'", "coalition_outsiders")
    at.finish()

    scenario = Scenario(
        name=name,
        game=game,
        populations=populations,
        kind=kind,
        match=match,
        repetitions=repetitions,
        seed=seed,
        seed_given=seed_given,
        description=description,
        report=report,
        analysis=analysis_settings,
        execution=execution,
        game_spec=game_spec,
        source=source,
        base_dir=str(base_dir),
    )
    kind_obj = kinds_mod.get(kind)
    if execution["on_error"] == "forfeit" and kind != "round_robin":
        raise tt.error(
            f'on_error = "forfeit" is supported by round_robin only; a {kind} run needs every match (use "abort")',
            "on_error",
        )
    scenario.settings = kind_obj.parse(tt, scenario)
    tt.finish()
    for ext_key, parser in TOP_LEVEL_TABLES.items():
        if ext_key in top:
            scenario.extra[ext_key] = parser(top.table(ext_key), scenario)
    top.finish()
    check_folder_names(scenario, has_entrants)
    for pop_index, pop in enumerate(populations):
        prefix = "entrants" if has_entrants else f"populations[{pop_index}].entrants"
        check_entrants_fit(pop.entrants, game, source, prefix, kind_obj.seats_for(scenario, pop))
    budget.check(scenario)
    return scenario


def check_folder_names(scenario: Scenario, single: bool) -> None:
    """Populations (and sweep points) get one folder each: their names must give distinct
    folder names that stay inside the results folder."""
    pops = scenario.populations
    if len(pops) < 2:
        return
    key = "sweep" if "sweep" in scenario.extra else None
    for i, pop in enumerate(pops):
        problem = folder_name_problem(pop.name)
        if problem:
            raise ScenarioError(
                f"population {pop.name!r} {problem}", source=scenario.source, key=key or f"populations[{i}].name"
            )
    clash = folder_clash([p.name for p in pops])
    if clash is not None:
        i, j, folder = clash
        raise ScenarioError(
            f"populations {pops[i].name!r} and {pops[j].name!r} would both be written to the folder "
            f"{folder!r} (names are made into folder names by replacing characters other than letters, "
            "digits, '.', '_' and '-', ignoring case); rename one",
            source=scenario.source,
            key=key or f"populations[{j}].name",
        )


def parse_game(gt: Table) -> tuple[Game, dict]:
    """A library game (``name`` + ``params``) or an inline one (``actions`` + ``payoffs``)."""
    spec = dict(gt.data)
    if "payoffs" in gt:
        name = gt.get("name", str, "inline game")
        payoffs = gt.raw("payoffs")
        actions = gt.get("actions", list, None)
        players = gt.get("players", list, None)
        if "common_payoff" in gt and gt.get("common_payoff", bool):
            try:
                arr = np.array(payoffs, dtype=float)
            except (TypeError, ValueError) as exc:
                raise gt.error(f"not a numeric table: {exc}", "payoffs") from None
            payoffs = np.repeat(arr[..., None], arr.ndim, axis=-1)
        try:
            game = Game(payoffs, actions=actions, name=name, players=players)
        except GameError as exc:
            field_name = str(exc).split(":", 1)[0]
            key = (
                field_name.split("[")[0] if field_name.split("[")[0] in ("payoffs", "actions", "players") else "payoffs"
            )
            raise gt.error(str(exc), key) from None
        gt.finish()
        check_game(game, gt, "payoffs")
        return game, spec
    name = gt.get("name", str)
    params = gt.table("params", {})
    try:
        game = games_lib.get(name, **params.data)
    except GameError as exc:
        bad_key = "name" if name not in games_lib.names() else "params"
        raise gt.error(str(exc), bad_key) from None
    except (TypeError, ValueError, OverflowError, ArithmeticError) as exc:  # a parameter the game's code chokes on
        raise gt.error(
            f"game {name!r} cannot be built with these parameters: {type(exc).__name__}: {exc}", "params"
        ) from None
    gt.finish()
    check_game(game, gt, "params")
    return game, spec


def check_game(game: Game, gt: Table, key: str) -> None:
    """Payoffs finite and within ``MAX_PAYOFF`` (so that sums over any match stay finite and
    exact enough: a payoff near 1e308 would overflow only after the matches ran), and names and
    labels that are visible text."""
    pay = np.asarray(game.payoffs, dtype=float)
    if not np.all(np.isfinite(pay)) or (pay.size and float(np.abs(pay).max()) > MAX_PAYOFF):
        worst = pay.flat[int(np.argmax(np.where(np.isfinite(pay), np.abs(pay), np.inf)))]
        raise gt.error(
            f"payoffs must be finite numbers of magnitude at most {MAX_PAYOFF:g} (rescale the game); got {worst!r}", key
        )
    for what, value in [
        ("name", game.name),
        *(("players", p) for p in game.players),
        *(("actions", a) for acts in game.actions for a in acts),
    ]:
        problem = text_problem(str(value))
        if problem:
            raise gt.error(problem, what if what in gt.data else key)


def parse_entrants(tables: list[Table], base_dir: Path, parent: Table | None = None) -> list[EntrantSpec]:
    if not tables:
        raise (
            parent.error("at least one entrant is needed", "entrants")
            if parent
            else ScenarioError("at least one entrant is needed")
        )
    out: list[EntrantSpec] = []
    names: set[str] = set()
    where: dict[str, str] = {}  # a name -> the table that took it (for the message)
    base = str(base_dir)
    total = 0
    for et in tables:
        ref = et.get("strategy", (str, type), expect="a strategy name, 'pkg.mod:Class' or 'file.py:Class'")
        params_t = et.table("params", {})
        params = dict(params_t.data)
        try:
            cls = strategies_pkg.resolve(ref, base_dir)
        except StrategyError as exc:
            raise et.error(str(exc), "strategy") from None
        try:
            strategies_pkg.registry.check_params(cls, params, ref)
        except StrategyError as exc:
            raise et.error(str(exc), "params") from None
        has_name = "name" in et
        disp = et.text("name", None) if has_name else default_entrant_name(ref, cls, params)
        if not has_name and text_problem(disp):
            raise et.error(f"the default name of this entrant, {disp!r}, is not visible text; give it a 'name'", "name")
        count = et.get("count", int, 1, check=positive_int, expect="a positive integer")
        total += count
        sizes.check_count(total, et.key("count"), et.source)  # before making a single copy
        et.finish()
        first = EntrantSpec(ref, disp, params, base, type_name=disp)
        try:
            first.build()  # once per table: the copies are the same strategy with the same parameters
        except StrategyError as exc:
            raise et.error(str(exc), "params") from None
        copies = [disp] if count == 1 else [f"{disp} #{c}" for c in range(1, count + 1)]
        clash = names.intersection(copies) if len(copies) < len(names) else set(copies).intersection(names)
        if clash:
            nm = min(clash) if clash else disp
            other = where.get(nm) or next((p for d, p in where.items() if nm.startswith(f"{d} #")), "another entrant")
            raise et.error(f"duplicate entrant name {nm!r} (also {other}); give each entrant a distinct 'name'", "name")
        names.update(copies)
        where[disp] = et.path
        if count == 1:
            out.append(first)
        else:
            gc_was = gc.isenabled()
            gc.disable()  # a million copies: no cyclic collection passes over them while they are made
            try:
                out.extend([EntrantSpec(ref, nm, params, base, disp) for nm in copies])
            finally:
                if gc_was:
                    gc.enable()
    return out


def check_entrants_fit(entrants: list[EntrantSpec], game: Game, source: str, prefix: str, seats) -> None:
    """Seat every entrant in every seat it may take and run its reset (or its cheaper
    ``check``), so that e.g. a missing cooperate/defect parameter fails before the run."""
    checked: set = set()
    previous = None
    for idx, spec in enumerate(entrants):
        # copies made by ``count`` (a population of 10^6) are checked once; they share their
        # params, so a copy of the entrant before is recognised without building a key
        same = (
            previous is not None
            and spec.params is previous.params
            and spec.type_name == previous.type_name
            and list(seats(idx)) == list(seats(idx - 1))
        )
        previous = spec
        if same:
            continue
        key = (spec.type_name, repr(spec.strategy), repr(spec.params), spec.base_dir, tuple(seats(idx)))
        if key in checked:
            continue
        checked.add(key)
        for seat in seats(idx):
            strat = spec.build()
            view = MatchView(History(game, 1, None), seat)
            try:
                check = getattr(strat, "check", None)
                if callable(check):
                    check(game, seat)
                else:
                    strat.begin_match(view, np.random.default_rng(0))
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - report any failure with context
                detail = (
                    f"sys.exit({exc.code!r})"
                    if isinstance(exc, SystemExit)
                    else getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
                )
                raise ScenarioError(
                    f"entrant {spec.name!r} (strategy {spec.to_dict()['strategy']!r}) cannot play seat "
                    f"{seat} of game {game.name!r}: {detail}",
                    source=source,
                    key=f"{prefix}[{idx}]",
                ) from None
