"""Running independent work items (matches) serially or on local worker processes.

Results come back in task order whatever the worker count, and every task carries its
own seed (see ``seeding``), so the output does not depend on how work is distributed.
Tasks are shipped in chunks so that per-task scheduling overhead stays small; the shared
context (game, entrants, settings) is sent once per worker, not once per task.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, Sequence

_WORKER_CONTEXT: Any = None


def _init_worker(context: Any) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = context


def _run_chunk(fn: Callable, chunk: Sequence) -> list:
    return [fn(_WORKER_CONTEXT, task) for task in chunk]


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


def default_chunk_size(n_tasks: int, workers: int) -> int:
    """About 8 chunks per worker: small enough to balance load, large enough that
    inter-process overhead (~1 ms per chunk) is negligible against the work."""
    return max(1, min(256, -(-n_tasks // (workers * 8))))


def available_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Executor:
    """Runs ``fn(context, task)`` over batches of tasks, keeping one worker pool alive
    across batches (a round robin submits one batch per repetition).

    Use as a context manager; :meth:`map` yields results in task order.
    """

    def __init__(self, fn: Callable[[Any, Any], Any], context: Any, *, workers: int = 1,
                 chunk_size: int | None = None):
        self.fn = fn
        self.context = context
        self.workers = max(1, int(workers))
        self.chunk_size = chunk_size
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=_mp_context(),
                initializer=_init_worker, initargs=(self.context,),
            )
        return self._pool

    def map(self, tasks: Iterable, progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        """Yield the result of every task, in order. ``progress(n)`` is called as tasks finish."""
        tasks = list(tasks)
        if self.workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                result = self.fn(self.context, task)
                if progress:
                    progress(1)
                yield result
            return
        size = self.chunk_size or default_chunk_size(len(tasks), self.workers)
        chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        pool = self._ensure_pool()
        with warnings.catch_warnings():
            # Python >= 3.12 warns about fork() in a process with (native BLAS) threads
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            futures = [pool.submit(_run_chunk, self.fn, chunk) for chunk in chunks]
        try:
            for fut, chunk in zip(futures, chunks):
                results = fut.result()
                if progress:
                    progress(len(chunk))
                yield from results
        except BaseException:
            for f in futures:
                f.cancel()
            raise


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
