"""Command line: ``tournament run|list|report|compare`` (also ``python -m tournament``).

Bad input exits with status 2 and a one-paragraph message (no traceback unless
``--debug``, which is accepted before or after the subcommand). A run in which no match
finished (every match forfeited) exits with status 1.
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import sys
import textwrap
from pathlib import Path

from .errors import RunInterrupted, TournamentError

#: how many "clear differences" ``tournament compare`` prints (the report lists more)
MAX_DIFFERENCES_SHOWN = 10


def _width() -> int:
    return max(60, min(120, shutil.get_terminal_size((100, 20)).columns))


def _wrap(text: str, indent: str = "", first: str | None = None, stream=None) -> str:
    """``text`` indented, and wrapped to the terminal's width when ``stream`` is a terminal
    (one line per entry otherwise, so that ``grep`` finds whole sentences)."""
    first = indent if first is None else first
    stream = stream or sys.stdout
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return first + text
    return textwrap.fill(
        text,
        width=_width(),
        initial_indent=first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _outputs_line(out: Path) -> str:
    return (
        f"Results written to {out}/: open {out / 'report.html'} in a browser "
        "(report.md, summary.json and matches.csv hold the same results)"
    )


def _cmd_run(args) -> int:
    from .scenario.load import load_scenario

    out = Path(args.out) if args.out else Path("results") / _default_folder(args.file)
    # validated before the run machinery (Mesa, pandas, the kinds' models) is even imported,
    # so that a bad file is reported at once
    scenario = load_scenario(args.file)
    from .runner import run_scenario

    result = run_scenario(
        scenario,
        out=out,
        workers=args.workers,
        progress=not args.quiet,
        resume=args.resume,
        restart=args.restart,
        backend=args.backend,
        scheduler=args.scheduler,
    )
    if not args.quiet:
        print(format_run(result))
        print()
        print(_outputs_line(out))
    failed, total, errors = result.failures()
    if failed:
        # on stderr and also with --quiet: lost matches must not go unnoticed
        head = (
            f'warning: {failed} of {total} matches failed (on_error = "forfeit") and are left out of the '
            "standings and rates; see the status and error columns of matches.csv."
        )
        if failed == total:
            head = (
                f'error: all {total} matches failed (on_error = "forfeit"); nothing was played to the end, '
                "so there are no standings or rates."
            )
        print(_wrap(head, "  ", "", sys.stderr), file=sys.stderr)
        print("  first errors:", file=sys.stderr)
        for err in errors:
            print(_wrap(err, "      ", "    - ", sys.stderr), file=sys.stderr)
        if failed == total:
            return 1
    return 0


def _default_folder(file: str) -> str:
    """``results/<file name>``, unless the file's name cannot be a folder (``...toml``)."""
    from .scenario.validation import folder_name_problem

    stem = Path(file).stem
    problem = folder_name_problem(stem)
    if problem:
        raise TournamentError(
            f"{file}: the default results folder is named after the file, but {stem!r} "
            f"{problem}; give --out or rename the file"
        )
    return stem


def _fmt(v, spec: str = "{:.4f}") -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—" if v is None else str(v)
    return "—" if f != f else spec.format(f)


def format_standings(st) -> str:
    """The standings as plain text with the interval as one column ("—" where undefined)."""
    import pandas as pd

    rows = []
    for r in st.to_dict(orient="records"):
        row = {}
        if "population" in r:
            row["population"] = r["population"]
        rank = r.get("rank")
        row["rank"] = "—" if rank is None or pd.isna(rank) else str(int(rank))
        row["entrant"] = r["entrant"]
        row["mean payoff"] = _fmt(r.get("mean_payoff"))
        if r.get("deterministic"):
            row["95% interval"] = "exact (deterministic)"
        elif r.get("ci_low") is None or pd.isna(r.get("ci_low")):
            row["95% interval"] = "—"
        else:
            row["95% interval"] = f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
        row["n"] = str(r.get("n", ""))
        rows.append(row)
    cols = list(rows[0]) if rows else []
    right = {"rank", "mean payoff", "n"}
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}

    def line(cells: dict) -> str:
        return "  ".join(cells[c].rjust(widths[c]) if c in right else cells[c].ljust(widths[c]) for c in cols).rstrip()

    return "\n".join([line({c: c for c in cols})] + [line(r) for r in rows])


def format_run(result) -> str:
    from .jsonable import jsonable
    from .output.summary import RunSummary

    s = result.summary
    lines = [f"{s['scenario']} — {s['game']['name']}, {s['kind']}, seed {s['seed']}"]
    st = result.standings
    if not st.empty:
        kind = s["kind"]
        if kind == "random_matching":
            lines.append(
                "Mean payoff per stage game of each type over a run, with a Student-t interval over the "
                "runs (n = runs):"
            )
        elif kind != "round_robin":
            lines.append(
                "Standings of the types in their round robin (mean payoff per round against every type "
                "with equal weight; the population's outcome is the final shares below):"
            )
        lines.append(format_standings(st))
        if kind != "random_matching":
            lines.append("n: independent observations (identical repetitions of a deterministic match count once)")
    population = RunSummary.from_json(jsonable(s)).results[None].population if "populations" not in s else None
    if population is not None:
        from .report.populations import population_lines

        lines += population_lines(population)
    from .report.matches import rate_lines

    lines += rate_lines(s)
    return "\n".join(lines)


def _cmd_list(args) -> int:
    if args.what is None:
        print(
            "What to list:\n"
            "  tournament list games        library games: players, actions, parameters\n"
            "  tournament list strategies   built-in strategies: what they do, parameters\n"
            "  tournament list kinds        tournament kinds ([tournament] kind = ...)"
        )
        return 0
    if args.what == "games":
        from . import games

        for name in games.names():
            gi = games.info(name)
            g = games.get(name) if name != "robots_abc" else games.get(name, players=3)
            acts = "/".join(g.actions[0]) if len(set(g.actions)) == 1 else " | ".join("/".join(a) for a in g.actions)
            params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in gi.params.items())
            print(f"{name:24s} players: {gi.players:10s} actions: {acts}")
            print(_wrap(gi.description, " " * 25))
            if params:
                print(_wrap(f"params: {params}", " " * 25))
    elif args.what == "kinds":
        from . import kinds

        for name in sorted(kinds.names(), key=lambda n: (n != "round_robin", n)):  # the default first
            print(_wrap(kinds.get(name).description, " " * 17, f"{name:16s} "))
    else:
        import strategies

        for name, cls in strategies.registered().items():
            params = ", ".join(
                f"{k}" if v is inspect.Parameter.empty else f"{k}={v!r}" for k, v in cls.parameters().items()
            )
            print(_wrap(cls.summary(), " " * 25, f"{name:24s} "))
            if params:
                print(_wrap(f"params: {params}", " " * 25))
    return 0


def _cmd_report(args) -> int:
    folder = Path(args.dir)
    if (folder / "comparison.json").is_file():
        from .report.comparison import rebuild_comparison

        path = rebuild_comparison(folder, plots=not args.no_plots)
    elif (folder / "summary.json").is_file():
        from .report import write_report

        path = write_report(folder, plots=not args.no_plots)
    else:
        raise TournamentError(
            f"{folder}: no summary.json (tournament run) or comparison.json (tournament compare) "
            "here; give a results folder"
        )
    print(f"Report written to {path.with_suffix('.html')} (and {path.name})")
    return 0


def _cmd_compare(args) -> int:
    from .compare import compare_files

    out = Path(args.out) if args.out else Path("results") / ("compare_" + "_".join(Path(f).stem for f in args.files))
    summary = compare_files(
        args.files,
        out,
        workers=args.workers,
        progress=not args.quiet,
        resume=args.resume,
        restart=args.restart,
        backend=args.backend,
        scheduler=args.scheduler,
    )
    if not args.quiet:
        import pandas as pd

        from .report.populations import ranked_differences

        order = list(summary["populations"])
        print(f"Compared {len(order)} populations on {summary['game']['name']}: {', '.join(order)}")
        diffs = ranked_differences(pd.read_csv(out / "comparison.csv"), order)
        if diffs:
            print(
                f"Clear differences (disjoint 95% intervals), {min(len(diffs), MAX_DIFFERENCES_SHOWN)} "
                f"of {len(diffs)}, largest first:"
            )
            for d in diffs[:MAX_DIFFERENCES_SHOWN]:
                print(_wrap(d["text"], "    ", "  - "))
        else:
            print("No clear differences: every 95% interval overlaps its counterpart.")
        print()
        print(
            f"Results written to {out}/: open {out / 'report.html'} in a browser (comparison.csv has every "
            "metric with its interval; each file's own results are in its subfolder)"
        )
    return 0


def _cmd_view(args) -> int:
    from .live.server import serve

    serve(args.file, host=args.host, port=args.port, page=args.page, open_browser=args.open)
    return 0


def _execution_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    p.add_argument("--restart", action="store_true", help="discard an interrupted run in --out and start over")
    p.add_argument(
        "--backend", choices=["processes", "dask"], help="execution backend (default: the scenario's, else processes)"
    )
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://HOST:PORT); implies --backend dask")


def _debug_argument(p: argparse.ArgumentParser, top: bool = False) -> None:
    # on the subcommands too, so that `tournament run FILE --debug` works; SUPPRESS keeps a
    # --debug given before the subcommand
    p.add_argument(
        "--debug", action="store_true", default=False if top else argparse.SUPPRESS, help="show a traceback on errors"
    )


def version_text() -> str:
    import importlib.metadata as md
    import platform

    from . import __version__

    try:
        mesa = md.version("mesa")
    except md.PackageNotFoundError:  # pragma: no cover - mesa is a dependency
        mesa = "not installed"
    return f"ibtournament {__version__} (Mesa {mesa}, Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tournament",
        description="Agent-based repeated-game tournaments on Mesa. Each run writes a results folder "
        "with report.html (open it in a browser), report.md, summary.json and matches.csv.",
        epilog="Examples: tournament run scenarios/classics_axelrod_pd.toml; tournament list strategies; "
        "tournament report results/classics_axelrod_pd",
    )
    _debug_argument(parser, top=True)
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", required=True, metavar="{run,list,compare,report}")

    p = sub.add_parser("run", help="run a scenario file and write its results folder (report.html, ...)")
    p.add_argument("file", help="scenario TOML file")
    p.add_argument("--out", help="results folder (default: results/<scenario file name>)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or standings table")
    _execution_arguments(p)
    _debug_argument(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("list", help="list library games, built-in strategies or tournament kinds")
    p.add_argument("what", nargs="?", choices=["games", "strategies", "kinds"])
    _debug_argument(p)
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("compare", help="run scenario files that share a game and compare their populations")
    p.add_argument("files", nargs="+", help="scenario TOML files (two or more, same game)")
    p.add_argument("--out", help="results folder (default: results/compare_<file names>)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    _execution_arguments(p)
    _debug_argument(p)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("view", help="watch a scenario run in the browser (needs the [view] extra)")
    p.add_argument("file", help="scenario TOML file")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 picks a free one)")
    p.add_argument(
        "--page",
        choices=["auto", "tournament", "match"],
        default="auto",
        help="round robin: the whole tournament or one match round by round (default: by the entrants)",
    )
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    _debug_argument(p)
    p.set_defaults(func=_cmd_view)

    p = sub.add_parser(
        "report", help="rebuild report.html and report.md of a results folder (of run or compare) without re-running"
    )
    p.add_argument("dir", help="results folder")
    p.add_argument("--no-plots", action="store_true", help="no PNG plots (faster; the tables stay)")
    _debug_argument(p)
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    import warnings

    # user-facing warnings (e.g. a changed strategy file on --resume) as one plain line
    warnings.formatwarning = lambda message, category, *args, **kw: f"warning: {message}\n"
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):  # bare `tournament`: the help, not just an error
        parser.print_help()
        return 2
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except RunInterrupted as exc:
        print(
            textwrap.fill(str(exc), width=100, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False),
            file=sys.stderr,
        )
        return 130
    except TournamentError as exc:
        if args.debug:
            raise
        print(
            "error: "
            + textwrap.fill(
                str(exc), width=100, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False
            ),
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `tournament list games | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
