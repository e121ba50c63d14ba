"""One interface, any backend: 1 worker, 2 worker processes and a Dask cluster give
byte-identical results for every tournament kind that plays matches."""

import filecmp

import pytest

from tournament import TournamentError, run_scenario
from tournament.execution.executor import Executor, default_chunk_size
from tournament.kinds import RunOptions

ROUND_ROBIN = {
    "name": "backends",
    "seed": 5,
    "game": {"name": "prisoners_dilemma"},
    "tournament": {"turns": 60, "repetitions": 3, "noise": 0.05},
    "entrants": [
        {"strategy": s}
        for s in (
            "tit_for_tat",
            "random",
            "grim",
            "generous_tit_for_tat",
            "win_stay_lose_shift",
            "always_defect",
            "hedge",
        )
    ],  # hedge is no automaton: its matches go to the backend (the others: the batch engine)
}
MORAN = {
    "name": "moran backends",
    "seed": 3,
    "game": {"name": "prisoners_dilemma"},
    "tournament": {"kind": "moran", "turns": 20, "repetitions": 2, "noise": 0.02, "runs": 12},
    "entrants": [{"strategy": "tit_for_tat", "count": 5}, {"strategy": "always_defect", "count": 1}],
}
RANDOM_MATCHING = {
    "name": "random matching backends",
    "seed": 4,
    "game": {"name": "prisoners_dilemma"},
    "tournament": {"kind": "random_matching", "turns": 30, "noise": 0.01, "runs": 4, "generations": 2},
    "entrants": [{"strategy": "tit_for_tat", "count": 4}, {"strategy": "random", "count": 4}],
}
# files whose bytes must not depend on the backend (run_info.json records timings and workers)
COMPARED = ("matches.csv", "summary.json", "rounds.npz", "shares.csv", "populations.csv")


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c


def assert_same_outputs(a, b):
    names = [f.name for f in a.iterdir() if f.name in COMPARED]
    assert "matches.csv" in names or "shares.csv" in names, names
    for name in names:
        assert filecmp.cmp(a / name, b / name, shallow=False), f"{name} differs between {a.name} and {b.name}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "scenario", [ROUND_ROBIN, MORAN, RANDOM_MATCHING], ids=["round_robin", "moran", "random_matching"]
)
def test_one_worker_two_workers_and_dask_agree_byte_for_byte(tmp_path, cluster, scenario):
    run_scenario(scenario, out=tmp_path / "w1", workers=1)
    run_scenario(scenario, out=tmp_path / "w2", workers=2)
    run_scenario(scenario, out=tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert_same_outputs(tmp_path / "w1", tmp_path / "w2")
    assert_same_outputs(tmp_path / "w1", tmp_path / "dask")


@pytest.mark.slow
def test_dask_backend_from_the_scenario_starts_its_own_local_cluster(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    started = []
    real = Executor._ensure_client

    def spy(self):
        client = real(self)
        started.append((self._cluster is not None, len(client.scheduler_info()["workers"])))
        return client

    monkeypatch.setattr(Executor, "_ensure_client", spy)
    sc = dict(ROUND_ROBIN, tournament=dict(ROUND_ROBIN["tournament"], backend="dask", repetitions=1))
    a = run_scenario(sc, workers=2)
    assert started and started[0] == (True, 2)  # its own LocalCluster with 2 workers ran the matches
    n = len(started)
    b = run_scenario(dict(sc, tournament=dict(sc["tournament"], backend="processes")), workers=2)
    assert len(started) == n  # the processes backend never touches Dask
    assert a.matches.equals(b.matches)


def _square(context, task):
    return context * task * task


@pytest.mark.slow
def test_executor_yields_in_task_order_for_any_chunking():
    tasks = list(range(37))
    want = [3 * t * t for t in tasks]
    for workers, chunk in [(1, None), (2, None), (2, 1), (2, 5), (2, 100)]:
        with Executor(_square, 3, workers=workers, chunk_size=chunk) as ex:
            assert list(ex.map(tasks)) == want


def test_default_chunk_size_gives_about_eight_chunks_per_worker():
    assert default_chunk_size(1600, 2) == 100
    assert default_chunk_size(10, 4) == 1
    assert default_chunk_size(10**6, 2) == 256  # capped so results stream back


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr("tournament.execution.executor.CONNECT_TIMEOUT", "1s")
    with pytest.raises(TournamentError, match="cannot reach the Dask scheduler tcp://127.0.0.1:9"):
        with Executor(_square, 1, options=RunOptions(backend="dask", scheduler="tcp://127.0.0.1:9")) as ex:
            list(ex.map([1, 2]))


def test_unknown_backend_is_rejected_by_the_scenario_validator():
    sc = dict(ROUND_ROBIN, tournament=dict(ROUND_ROBIN["tournament"], backend="mpi"))
    with pytest.raises(TournamentError, match="backend"):
        run_scenario(sc)
