"""Faulty strategies: raising, invalid actions, time limits; abort keeps finished work,
forfeit records the match as failed and goes on."""

import math
import textwrap

import pandas as pd
import pytest
from conftest import scenario_dict

from tournament import StrategyError, run_scenario
from tournament.cli import main
from tournament.execution.checkpoint import pending_checkpoint

BAD = textwrap.dedent("""
    import time
    from strategies import Strategy

    class Raiser(Strategy):
        stochastic = False
        def __init__(self, at=3):
            self.at = at
        def choose(self, view):
            if view.round == self.at:
                raise RuntimeError("boom")
            return "C"

    class Liar(Strategy):
        stochastic = False
        def choose(self, view):
            return "Z" if view.round == 2 else 0

    class Sleeper(Strategy):
        stochastic = False
        def choose(self, view):
            if view.round == 1:
                time.sleep(5)
            return 0

    class Spinner(Strategy):
        stochastic = False
        def choose(self, view):
            if view.round == 1:
                while True:
                    try:
                        pass
                    except Exception:
                        pass
            return 0
""")


GOOD = 'seed = 1\n[game]\nname = "prisoners_dilemma"\n[tournament]\nturns = 5\n[report]\nplots = false\n' + "".join(
    f'[[entrants]]\nstrategy = "{s}"\n' for s in ("tit_for_tat", "grim")
)


def scenario(tmp_path, bad, **tournament):
    (tmp_path / "bad.py").write_text(BAD)
    return scenario_dict(
        ["tit_for_tat", "grim", {"strategy": f"bad.py:{bad}", "name": bad}],
        name="faults",
        tournament={"turns": 10, "repetitions": 1, **tournament},
    )


def test_raising_strategy_aborts_with_context_and_keeps_finished_matches(tmp_path):
    sc = scenario(tmp_path, "Raiser")
    out = tmp_path / "out"
    with pytest.raises(StrategyError) as err:
        run_scenario(sc, out=out, base_dir=tmp_path)
    e = err.value
    assert (e.strategy, e.round, e.match_id) == ("Raiser", 3, 1)  # (tft, grim) is match 0
    assert e.seat == 1
    assert "choose raised RuntimeError: boom" in str(e) and "resume=True" in str(e)
    assert pending_checkpoint(out) == 1  # the finished match 0 is kept
    assert not (out / "matches.csv").exists()


def test_forfeit_records_failed_matches_and_continues(tmp_path):
    sc = scenario(tmp_path, "Raiser", on_error="forfeit", repetitions=2)
    r = run_scenario(sc, base_dir=tmp_path)
    m = r.matches
    failed = m[m.status == "failed"]
    assert len(failed) == 4 and set(m.status) == {"ok", "failed"}
    assert failed.error.str.contains("strategy 'Raiser', seat 1, match .*, round 3: choose raised RuntimeError").all()
    assert failed.payoff_0.isna().all() and (failed.turns == 3).all()
    st = r.standings.set_index("entrant")
    assert st.loc["Raiser", "n"] == 0 and math.isnan(st.loc["Raiser", "mean_payoff"])
    # only its two matches against grim finished, and they are identical: one observation
    assert (st.loc["tit_for_tat", "seats"], st.loc["tit_for_tat", "n"]) == (2, 1)
    assert st.loc["tit_for_tat", "deterministic"]
    assert r.summary["failed_matches"] == 4
    assert r.summary["rates"]["settled"]["n"] == 2  # failed matches are not analysed
    # every error names its own match, also when a deterministic failure is replayed from the cache
    for row in failed.itertuples():
        assert f", match {row.match_id}, round 3:" in row.error
    assert r.summary["first_errors"][0] == failed.error.iloc[0]


def test_invalid_action_is_reported(tmp_path):
    with pytest.raises(StrategyError, match=r"strategy 'Liar', seat 1, match 1, round 2: returned invalid action 'Z'"):
        run_scenario(scenario(tmp_path, "Liar"), base_dir=tmp_path)


def test_time_limit_between_rounds_and_inside_a_call(tmp_path):
    with pytest.raises(
        StrategyError, match=r"'Sleeper', seat 1, match 1, round 1: exceeded the match time limit of 0.3 s"
    ):
        run_scenario(scenario(tmp_path, "Sleeper", time_limit=0.3), base_dir=tmp_path)
    # a strategy that never returns (and swallows exceptions) is stopped too
    sc = scenario(tmp_path, "Spinner", time_limit=0.3, on_error="forfeit")
    m = run_scenario(sc, base_dir=tmp_path).matches
    assert (m[m.entrant_1 == "Spinner"].status == "failed").all()
    assert m[m.entrant_1 == "Spinner"].error.str.contains("stopped inside choose").all()


def test_forfeit_is_round_robin_only(tmp_path):
    sc = scenario(tmp_path, "Raiser", on_error="forfeit", kind="moran")
    with pytest.raises(Exception, match="on_error.*round_robin only"):
        run_scenario(sc, base_dir=tmp_path)


def test_cli_abort_message_and_resume_refusal(tmp_path, capsys):
    (tmp_path / "bad.py").write_text(BAD)
    f = tmp_path / "s.toml"
    f.write_text(GOOD.replace("turns = 5", "turns = 10") + '[[entrants]]\nstrategy = "bad.py:Raiser"\n')
    out = tmp_path / "out"
    assert main(["run", str(f), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "strategy 'bad.py:Raiser', seat 1, match 1, round 3" in err and "--resume" in err
    # a plain rerun must not silently throw the finished match away
    assert main(["run", str(f), "--out", str(out), "--quiet"]) == 2
    assert "interrupted run" in capsys.readouterr().err
    # fix the strategy and resume: the run completes
    (tmp_path / "bad.py").write_text(BAD.replace('raise RuntimeError("boom")', 'return "D"'))
    with pytest.warns(UserWarning, match="bad.py changed since the interrupted run"):
        assert main(["run", str(f), "--out", str(out), "--quiet", "--resume"]) == 0
    assert len(pd.read_csv(out / "matches.csv")) == 3
    assert pending_checkpoint(out) is None


CRASHER = textwrap.dedent("""
    import os, signal
    from strategies import Strategy

    class Crasher(Strategy):
        '''Kills its own process, as an out-of-memory kill or a segfault in native code would.'''
        stochastic = False
        def choose(self, view):
            if view.round == 5:
                os.kill(os.getpid(), signal.SIGKILL)
            return 0
""")


@pytest.mark.slow
def test_a_lost_worker_is_a_clear_error_and_finished_matches_are_kept(tmp_path):
    from tournament.errors import WorkerLost

    (tmp_path / "crash.py").write_text(CRASHER)
    sc = {
        "name": "lost worker",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 10, "repetitions": 2, "noise": 0.1},
        "report": {"plots": False},
        "entrants": [{"strategy": s} for s in ("tit_for_tat", "grim", "win_stay_lose_shift", "always_defect")]
        + [{"strategy": "crash.py:Crasher"}],
    }
    out = tmp_path / "out"
    with pytest.raises(WorkerLost) as err:
        run_scenario(sc, out=out, workers=2, base_dir=tmp_path)
    msg = str(err.value)
    assert "a worker process died" in msg and "did not finish, e.g. MatchTask(" in msg
    assert f"kept in {out / '.checkpoint'}" in msg and "resume=True" in msg
    assert pending_checkpoint(out) is not None
    assert not (out / "matches.csv").exists()


@pytest.mark.parametrize(
    "bad",
    [
        (
            "scenario",
            '[game]\nname = "prisoners_dilemma"\n[tournament]\nturnz = 5\n[[entrants]]\nstrategy = "grim"\n'
            '[[entrants]]\nstrategy = "tit_for_tat"\n',
            "turnz",
        ),
        (
            "inline game",
            '[game]\nactions = [["C", "D"], ["C", "D"]]\npayoffs = [[[2, 2], [0, 3]], [[3, 0], [1]]]\n'
            '[[entrants]]\nstrategy = "grim"\n[[entrants]]\nstrategy = "tit_for_tat"\n',
            "game.payoffs",
        ),
        (
            "strategy file",
            '[game]\nname = "prisoners_dilemma"\n[[entrants]]\nstrategy = "broken.py:Thing"\n'
            '[[entrants]]\nstrategy = "grim"\n',
            "broken.py",
        ),
    ],
    ids=lambda b: b[0] if isinstance(b, tuple) else b,
)
def test_bad_input_never_touches_an_existing_results_folder(tmp_path, bad):
    what, text, needle = bad
    (tmp_path / "broken.py").write_text("from strategies import Strategy\nclass Thing(Strategy:\n    pass\n")
    good = tmp_path / "good.toml"
    good.write_text(GOOD)
    out = tmp_path / "out"
    assert main(["run", str(good), "--out", str(out), "--quiet"]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(Exception, match=needle):
        run_scenario(f, out=out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_a_worker_lost_on_dask_is_the_same_clear_error(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    import dask

    from tournament.errors import WorkerLost

    (tmp_path / "crash.py").write_text(CRASHER)
    sc = {
        "name": "lost dask worker",
        "seed": 1,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 10, "repetitions": 1},
        "report": {"plots": False},
        "entrants": [{"strategy": "tit_for_tat"}, {"strategy": "crash.py:Crasher"}],
    }
    out = tmp_path / "out"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
    ):
        with pytest.raises(WorkerLost, match="Dask workers died repeatedly.*did not finish, e.g. MatchTask"):
            run_scenario(sc, out=out, scheduler=cluster.scheduler_address, base_dir=tmp_path)
    assert pending_checkpoint(out) == 0  # the checkpoint exists (empty: nothing had finished)
