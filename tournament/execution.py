"""Running independent work items (matches, population runs) on one interface:
in this process, on local worker processes, or on a Dask cluster.

Results come back in task order whatever the backend or worker count, and every task
carries its own seed (see ``seeding``), so the output does not depend on how work is
distributed. Tasks are shipped in chunks so that per-task scheduling overhead stays small
(``benchmarks/scaling_round_robin.py`` measures it); the shared context (game, entrants,
settings) is sent once per worker, not once per task. With a checkpoint (see
``checkpoint``), each result is saved the moment it arrives and tasks finished by an
interrupted run are not run again.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from .errors import TournamentError, WorkerLost

if TYPE_CHECKING:  # pragma: no cover
    from .kinds import RunOptions

BACKENDS = ("processes", "dask")
#: how long to wait for a Dask scheduler before giving up with a clear error
CONNECT_TIMEOUT = "20s"

_WORKER_CONTEXT: Any = None


def _init_worker(context: Any) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = context


def _run_chunk(fn: Callable, chunk: Sequence) -> list:
    return [fn(_WORKER_CONTEXT, task) for task in chunk]


def _run_chunk_with(fn: Callable, context: Any, chunk: Sequence) -> list:
    return [fn(context, task) for task in chunk]


def _mp_context():
    """The start method for worker processes.

    ``fork`` when this process runs no other Python threads: it is the cheapest, and it
    does not re-import the user's ``__main__`` (so a script without an
    ``if __name__ == "__main__":`` guard still works). Forking while other Python threads
    run (a Dask client, a GUI) can deadlock, so then ``forkserver`` (the Python 3.14
    default) is used, which needs that guard in scripts. Native BLAS worker threads hold
    no locks across a fork and are not counted.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["tournament", "strategies"])
        return ctx
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def _sigint_ignored():
    """Ignore SIGINT while child processes are started (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def default_chunk_size(n_tasks: int, workers: int) -> int:
    """About 8 chunks per worker: small enough to balance load, large enough that
    per-chunk overhead (~1 ms for processes, a few ms for Dask) is negligible."""
    return max(1, min(256, -(-n_tasks // (workers * 8))))


def available_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def task_key(fn: Callable, task: Any) -> str:
    """Stable identity of a task for checkpoints (its dataclass repr carries its id)."""
    return f"{getattr(fn, '__name__', 'task')}:{task!r}"


class Executor:
    """Runs ``fn(context, task)`` over batches of tasks, keeping one worker pool (or Dask
    client) alive across batches (a round robin submits one batch per repetition).

    ``options`` (a :class:`~tournament.kinds.RunOptions`) chooses the backend —
    ``workers`` local processes, or ``backend="dask"`` with an optional ``scheduler``
    address (without one a ``LocalCluster`` of ``workers`` processes is started) — and
    carries the checkpoint. Use as a context manager; :meth:`map` yields results in order.
    """

    def __init__(self, fn: Callable[[Any, Any], Any], context: Any, *, workers: int | None = None,
                 chunk_size: int | None = None, options: "RunOptions | None" = None):
        self.fn = fn
        self.context = context
        self.options = options
        self.workers = max(1, int(workers if workers is not None else (options.workers if options else 1)))
        self.backend = (options.backend if options else None) or "processes"
        self.scheduler = options.scheduler if options else None
        if self.backend not in BACKENDS:
            raise TournamentError(f"unknown backend {self.backend!r}; use one of {BACKENDS}")
        self.chunk_size = chunk_size
        self.checkpoint = options.checkpoint if options else None
        self.scope = options.scope if options else ""
        self._pool: ProcessPoolExecutor | None = None
        self._client = None
        self._cluster = None
        self._dask_context = None

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    # ------------------------------------------------------------------ backends
    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=_mp_context(),
                initializer=_init_worker, initargs=(self.context,),
            )
        return self._pool

    def _ensure_client(self):
        if self._client is None:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError:
                raise TournamentError("the Dask backend needs dask.distributed: pip install 'dask[distributed]'") from None
            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
                except (OSError, TimeoutError) as exc:
                    raise TournamentError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from None
            else:
                with _sigint_ignored():
                    # the workers inherit "ignore Ctrl-C": the main process handles it (saves
                    # the checkpoint, says how to resume) and closes the cluster itself
                    self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=":0", silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
            # the shared context goes to every worker once
            self._dask_context = self._client.scatter(self.context, broadcast=True, hash=False)
        return self._client

    def _uses_pool(self, n: int) -> bool:
        return self.backend == "dask" or (self.workers > 1 and n > 1)

    # ------------------------------------------------------------------ running
    def map(self, tasks: Iterable, progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        """Yield the result of every task, in order. ``progress(n)`` is called as tasks finish."""
        tasks = list(tasks)
        ck = self.checkpoint
        keys = [f"{self.scope}/{task_key(self.fn, t)}" for t in tasks] if ck is not None else None
        done: dict[int, Any] = {}
        if ck is not None:
            for i, key in enumerate(keys):
                if ck.has(key):
                    done[i] = ck.get(key)
            if done and progress:
                progress(len(done))
        todo = [i for i in range(len(tasks)) if i not in done]

        def store(i: int, result: Any) -> None:
            if ck is not None:
                ck.put(keys[i], result)
            done[i] = result

        if not self._uses_pool(len(todo)):
            nxt = 0
            for i in todo:
                store(i, self.fn(self.context, tasks[i]))
                if progress:
                    progress(1)
                while nxt in done:
                    yield done.pop(nxt)
                    nxt += 1
            while nxt < len(tasks):
                yield done.pop(nxt)
                nxt += 1
            return
        size = self.chunk_size or default_chunk_size(len(todo), self.workers)
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        submit, collect = (self._submit_dask, self._collect_dask) if self.backend == "dask" else \
            (self._submit_pool, self._collect_pool)
        futures = submit([[tasks[i] for i in chunk] for chunk in chunks])
        chunk_of = dict(zip(futures, chunks))
        nxt = 0
        try:
            for fut, results in self._guard(collect(futures), futures, chunk_of, tasks):
                for i, res in zip(chunk_of[fut], results):
                    store(i, res)
                if progress:
                    progress(len(results))
                while nxt in done:  # results leave in task order
                    yield done.pop(nxt)
                    nxt += 1
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        while nxt < len(tasks):
            yield done.pop(nxt)
            nxt += 1

    def _guard(self, collected, futures: list, chunk_of: dict, tasks: list):
        """Turn a dead worker into a :class:`WorkerLost` naming the tasks it took down."""
        try:
            yield from collected
        except BrokenProcessPool:
            self.close()
            self._lost(futures, chunk_of, tasks, "a worker process died")
        except Exception as exc:
            if type(exc).__name__ != "KilledWorker":  # dask.distributed, after its own retries
                raise
            self._lost(futures, chunk_of, tasks, f"Dask workers died repeatedly ({exc})")

    @staticmethod
    def _lost(futures: list, chunk_of: dict, tasks: list, what: str):
        unfinished = [tasks[i] for f in futures
                      if not f.done() or f.cancelled() or f.exception() is not None for i in chunk_of[f]]
        shown = ", ".join(repr(t) for t in unfinished[:3]) + (" …" if len(unfinished) > 3 else "")
        raise WorkerLost(
            f"{what} (killed, out of memory, or a crash in native code) while running tasks; "
            f"{len(unfinished)} task(s) did not finish, e.g. {shown}"
        ) from None

    def _submit_pool(self, chunks: list[list]) -> list:
        pool = self._ensure_pool()
        with warnings.catch_warnings():
            # Python >= 3.12 warns about fork() in a process with (native BLAS) threads
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            return [pool.submit(_run_chunk, self.fn, chunk) for chunk in chunks]

    @staticmethod
    def _collect_pool(futures: list):
        pending = set(futures)
        broken = None
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=futures.index):
                exc = fut.exception()
                if exc is None:
                    yield fut, fut.result()
                elif isinstance(exc, BrokenProcessPool):
                    broken = broken or exc  # keep collecting the chunks that did finish
                else:
                    raise exc
        if broken is not None:
            raise broken

    def _submit_dask(self, chunks: list[list]) -> list:
        client = self._ensure_client()
        return [client.submit(_run_chunk_with, self.fn, self._dask_context, chunk, pure=False) for chunk in chunks]

    @staticmethod
    def _collect_dask(futures: list):
        from dask.distributed import as_completed

        for fut in as_completed(futures):
            yield fut, fut.result()


def run_tasks(
    fn: Callable[[Any, Any], Any],
    tasks: Iterable,
    context: Any,
    *,
    workers: int = 1,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Any]:
    """One-shot :class:`Executor`: yield ``fn(context, task)`` for every task, in order."""
    with Executor(fn, context, workers=workers, chunk_size=chunk_size) as ex:
        yield from ex.map(tasks, progress)
