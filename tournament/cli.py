"""Command line: ``tournament run|list|report|compare``.

Bad input exits with status 2 and a one-paragraph message (no traceback unless
``--debug``).
"""

from __future__ import annotations

import argparse
import inspect
import sys
import textwrap
from pathlib import Path

from .errors import TournamentError
from .runner import RunInterrupted


def _cmd_run(args) -> int:
    from .runner import run_scenario

    out = Path(args.out) if args.out else Path("results") / _default_folder(args.file)
    result = run_scenario(args.file, out=out, workers=args.workers, progress=not args.quiet,
                          resume=args.resume, restart=args.restart, backend=args.backend,
                          scheduler=args.scheduler)
    if not args.quiet:
        print(format_run(result))
        print(f"\nResults written to {out}/ (summary.json, matches.csv, report.md)")
    return 0


def _default_folder(file: str) -> str:
    """``results/<file name>``, unless the file's name cannot be a folder (``...toml``)."""
    from .outputs import folder_name_problem

    stem = Path(file).stem
    problem = folder_name_problem(stem)
    if problem:
        raise TournamentError(f"{file}: the default results folder is named after the file, but {stem!r} "
                              f"{problem}; give --out or rename the file")
    return stem


def format_run(result) -> str:
    import pandas as pd

    s = result.summary
    lines = [f"{s['scenario']} — {s['game']['name']}, {s['kind']}, seed {s['seed']}"]
    st = result.standings
    if not st.empty:
        show = st.copy()
        cols = [c for c in ("population", "rank", "entrant", "mean_payoff", "ci_low", "ci_high", "n") if c in show]
        with pd.option_context("display.width", 160, "display.max_rows", 500, "display.float_format", "{:.4f}".format):
            lines.append(show[cols].to_string(index=False))
    if s.get("population"):
        from .report.populations import population_lines

        lines += population_lines(s["population"])
    for key, label in (("settled", "settled in a stable cycle"), ("pareto_optimal", "Pareto-optimal")):
        rate = s.get("rates", {}).get(key)
        if rate:
            lines.append(f"{label}: {rate['fraction']:.1%} (95% CI {rate['ci_low']:.1%}–{rate['ci_high']:.1%})")
    return "\n".join(lines)


def _cmd_list(args) -> int:
    if args.what == "games":
        from . import games

        for name in games.names():
            gi = games.info(name)
            g = games.get(name) if name != "robots_abc" else games.get(name, players=3)
            acts = "/".join(g.actions[0]) if len(set(g.actions)) == 1 else " | ".join("/".join(a) for a in g.actions)
            params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in gi.params.items())
            print(f"{name:24s} players: {gi.players:10s} actions: {acts}")
            print(f"{'':24s} {gi.description}")
            if params:
                print(f"{'':24s} params: {params}")
    else:
        import strategies

        for name, cls in strategies.registered().items():
            params = ", ".join(
                f"{k}" if v is inspect.Parameter.empty else f"{k}={v!r}" for k, v in cls.parameters().items()
            )
            print(f"{name:24s} {cls.summary()}")
            if params:
                print(f"{'':24s} params: {params}")
    return 0


def _cmd_report(args) -> int:
    from .report import write_report

    folder = Path(args.dir)
    if not (folder / "summary.json").is_file():
        raise TournamentError(f"{folder}: no summary.json here; is this a results folder of 'tournament run'?")
    path = write_report(folder, plots=not args.no_plots)
    print(f"Report written to {path}")
    return 0


def _cmd_compare(args) -> int:
    from .population.compare import compare_files

    out = Path(args.out) if args.out else Path("results") / ("compare_" + "_".join(Path(f).stem for f in args.files))
    summary = compare_files(args.files, out, workers=args.workers, progress=not args.quiet, resume=args.resume,
                            restart=args.restart, backend=args.backend, scheduler=args.scheduler)
    if not args.quiet:
        print(f"Compared {len(summary['populations'])} populations on {summary['game']['name']}: "
              f"{out}/comparison.csv, {out}/report.md")
    return 0


def _execution_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    p.add_argument("--restart", action="store_true", help="discard an interrupted run in --out and start over")
    p.add_argument("--backend", choices=["processes", "dask"], help="execution backend (default: the scenario's, else processes)")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://HOST:PORT); implies --backend dask")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tournament",
        description="Agent-based repeated-game tournaments on Mesa.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run a scenario file")
    p.add_argument("file", help="scenario TOML file")
    p.add_argument("--out", help="results folder (default: results/<scenario file name>)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or standings table")
    _execution_arguments(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("list", help="list library games or built-in strategies")
    p.add_argument("what", choices=["games", "strategies"])
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("compare", help="run scenario files that share a game and compare their populations")
    p.add_argument("files", nargs="+", help="scenario TOML files (two or more, same game)")
    p.add_argument("--out", help="results folder (default: results/compare_<file names>)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary line")
    _execution_arguments(p)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("report", help="rebuild the report of a results folder without re-running")
    p.add_argument("dir")
    p.add_argument("--no-plots", action="store_true")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    import warnings

    # user-facing warnings (e.g. a changed strategy file on --resume) as one plain line
    warnings.formatwarning = lambda message, category, *args, **kw: f"warning: {message}\n"
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except RunInterrupted as exc:
        print(textwrap.fill(str(exc), width=100, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False), file=sys.stderr)
        return 130
    except TournamentError as exc:
        if args.debug:
            raise
        print("error: " + textwrap.fill(str(exc), width=100, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `tournament list games | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
