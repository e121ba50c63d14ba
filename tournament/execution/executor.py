"""Running independent work items (matches, population runs) on one interface:
in this process, on local worker processes, or on a Dask cluster.

Results come back in task order whatever the backend or worker count, and every task
carries its own seed (see ``seeding``), so the output does not depend on how work is
distributed. Tasks are shipped in chunks so that per-task scheduling overhead stays small
(``benchmarks/scaling_round_robin.py`` measures it); the shared context (game, entrants,
settings) is sent once per worker, not once per task. With a checkpoint (see
``checkpoint``), each result is saved the moment it arrives and tasks finished by an
interrupted run are not run again (their results are read back one at a time, when their
turn comes).

Memory stays bounded by what is in flight: at most ``AHEAD`` chunks per worker are submitted
beyond the oldest unfinished one, so results waiting for an earlier task never pile up.

When a task fails (a strategy error with ``on_error = "abort"``), every task that finished —
in the failing chunk before it, and in every other chunk — is saved, the chunks before the
failing one are waited for, and the error reported is the one of the lowest failing task:
the same error, and at least the same saved tasks, as with one worker.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from ..errors import TournamentError, WorkerLost
from .checkpoint import task_fields

if TYPE_CHECKING:  # pragma: no cover
    from dask.distributed import Client, LocalCluster, as_completed

    from .options import RunOptions

BACKENDS = ("processes", "dask")
#: how long to wait for a Dask scheduler before giving up with a clear error
CONNECT_TIMEOUT = "20s"

_WORKER_CONTEXT: Any = None


def _init_worker(context: Any) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = context
    # Ctrl-C reaches the whole process group: the main process handles it (saves the
    # checkpoint, says how to resume) and stops the pool; a worker only has to keep quiet
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: chunks in flight per worker beyond the oldest unfinished one
AHEAD = 4


def _run_chunk(fn: Callable, chunk: Sequence) -> tuple[list, BaseException | None]:
    return _run_chunk_with(fn, _WORKER_CONTEXT, chunk)


def _run_chunk_with(fn: Callable, context: Any, chunk: Sequence) -> tuple[list, BaseException | None]:
    """The results of the chunk's tasks up to the first failure, and that failure (the
    finished results travel back with it, so none is lost)."""
    out = []
    for task in chunk:
        try:
            out.append(fn(context, task))
        except Exception as exc:  # noqa: BLE001 - re-raised in the main process
            return out, exc
    return out, None


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


@contextlib.contextmanager
def _sigint_held():
    """Hold Ctrl-C while worker processes are forked, and raise it when the block ends.

    A SIGINT that lands while ``fork()`` runs its at-fork hooks raises KeyboardInterrupt
    inside a hook, where Python prints "Exception ignored" and drops it: the run went on as
    if Ctrl-C had never been pressed. Children forked here inherit the holding handler until
    their initializer ignores SIGINT."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def default_chunk_size(n_tasks: int, workers: int) -> int:
    """About 8 chunks per worker: small enough to balance load, large enough that
    per-chunk overhead (~1 ms for processes, a few ms for Dask) is negligible."""
    return max(1, min(256, -(-n_tasks // (workers * 8))))


def available_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def task_name(fn: Callable) -> str:
    """The name a task function's results are checkpointed under."""
    return getattr(fn, "__name__", "task")


class Executor:
    """Runs ``fn(context, task)`` over batches of tasks, keeping one worker pool (or Dask
    client) alive across batches (a round robin submits one batch per repetition).

    ``options`` (a :class:`~tournament.execution.options.RunOptions`) chooses the backend —
    ``workers`` local processes, or ``backend="dask"`` with an optional ``scheduler``
    address (without one a ``LocalCluster`` of ``workers`` processes is started) — and
    carries the checkpoint. Use as a context manager; :meth:`map` yields results in order.
    """

    def __init__(
        self,
        fn: Callable[[Any, Any], Any],
        context: Any,
        *,
        workers: int | None = None,
        chunk_size: int | None = None,
        options: RunOptions | None = None,
    ):
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
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None
        self._dask_context = None
        self._completed: as_completed | None = None  # of the running map

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        with contextlib.suppress(Exception):  # stopping (Ctrl-C, an error): that is what to report,
            self.close()  # not a cluster that fails to shut down cleanly on top of it

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
                max_workers=self.workers,
                mp_context=_mp_context(),
                initializer=_init_worker,
                initargs=(self.context,),
            )
        return self._pool

    def _ensure_client(self):
        if self._client is None:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError:
                raise TournamentError(
                    "the Dask backend needs dask.distributed: pip install 'dask[distributed]'"
                ) from None
            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
                except (OSError, TimeoutError) as exc:
                    raise TournamentError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from None
            else:
                with _sigint_ignored():
                    # the workers inherit "ignore Ctrl-C": the main process handles it (saves
                    # the checkpoint, says how to resume) and closes the cluster itself; its
                    # shutdown noise (a worker's heartbeat to a scheduler already gone) is not
                    # shown: task failures reach us through the futures
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=logging.CRITICAL,
                    )
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
        name = task_name(self.fn)
        fields = [task_fields(t) for t in tasks] if ck is not None else []
        stored = set()
        if ck is not None:
            stored = {i for i, f in enumerate(fields) if ck.has(ck.key(self.scope, name, f))}
            if stored and progress:
                progress(len(stored))
        todo = [i for i in range(len(tasks)) if i not in stored]
        done: dict[int, Any] = {}

        def store(i: int, result: Any) -> None:
            if ck is not None:
                ck.put(self.scope, name, fields[i], result)
            done[i] = result

        nxt = 0

        def ready() -> Iterator[Any]:
            nonlocal nxt
            while nxt < len(tasks) and (nxt in done or nxt in stored):
                if nxt in stored and ck is not None:  # (stored is empty without a checkpoint)
                    yield ck.get(ck.key(self.scope, name, fields[nxt]))
                else:
                    yield done.pop(nxt)
                nxt += 1

        if not self._uses_pool(len(todo)):
            for i in todo:
                store(i, self.fn(self.context, tasks[i]))
                if progress:
                    progress(1)
                yield from ready()
            yield from ready()
            return
        self._completed = None
        size = self.chunk_size or default_chunk_size(len(todo), self.workers)
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        window = AHEAD * self.workers
        submit, wait_any = (
            (self._submit_dask, self._wait_dask) if self.backend == "dask" else (self._submit_pool, self._wait_pool)
        )
        pending: dict[Any, int] = {}  # future -> chunk index
        finished_chunks: set[int] = set()
        submitted = oldest = 0
        failure: tuple[int, BaseException] | None = None  # (task index, error)
        lost: BaseException | None = None
        try:
            while True:
                if failure is None and lost is None:
                    while submitted < len(chunks) and submitted - oldest < window:
                        pending[submit([tasks[i] for i in chunks[submitted]])] = submitted
                        submitted += 1
                else:  # chunks after the failure that have not started are not needed
                    limit = failure[0] if failure is not None else -1
                    for fut, c in list(pending.items()):
                        if chunks[c][0] > limit and self._cancel(fut):
                            del pending[fut]
                if not pending:
                    break
                for fut in sorted(wait_any(list(pending)), key=pending.__getitem__):
                    c = pending.pop(fut)
                    try:
                        results, error = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a dead worker, sorted out below
                        if not self._is_lost(exc):
                            raise
                        lost = lost or exc
                        continue
                    for i, res in zip(chunks[c], results):
                        store(i, res)
                    if progress and results:
                        progress(len(results))
                    if error is not None:
                        at = chunks[c][len(results)]
                        if failure is None or at < failure[0]:
                            failure = (at, error)
                    else:
                        finished_chunks.add(c)
                while oldest in finished_chunks:
                    oldest += 1
                if failure is None and lost is None:
                    yield from ready()
            if lost is not None:
                self._lost(
                    lost,
                    [
                        tasks[i]
                        for c in range(len(chunks))
                        if c not in finished_chunks
                        for i in chunks[c]
                        if i not in done and (ck is None or not ck.has(ck.key(self.scope, name, fields[i])))
                    ],
                )
            if failure is not None:
                raise failure[1]
        except BaseException:  # also GeneratorExit: the consumer stopped (Ctrl-C, an error)
            for f in pending:
                with contextlib.suppress(Exception):  # a Dask client may be closed already
                    f.cancel()
            raise
        yield from ready()

    def _cancel(self, fut) -> bool:
        """Cancel a chunk that is not needed any more; False if it is already running (a
        local process cannot be stopped mid-chunk: its results are kept when it ends)."""
        if self.backend == "dask":
            fut.cancel()
            return True
        return fut.cancel()

    def _is_lost(self, exc: BaseException) -> bool:
        """A worker died: a broken process pool, or Dask's KilledWorker after its retries."""
        return isinstance(exc, BrokenProcessPool) or type(exc).__name__ == "KilledWorker"

    def _lost(self, exc: BaseException, unfinished: list):
        if isinstance(exc, BrokenProcessPool):
            self.close()
            what = "a worker process died"
        else:
            what = f"Dask workers died repeatedly ({exc})"
        shown = ", ".join(repr(t) for t in unfinished[:3]) + (" …" if len(unfinished) > 3 else "")
        raise WorkerLost(
            f"{what} (killed, out of memory, or a crash in native code) while running tasks; "
            f"{len(unfinished)} task(s) did not finish, e.g. {shown}"
        ) from None

    def _submit_pool(self, chunk: list):
        pool = self._ensure_pool()
        with warnings.catch_warnings(), _sigint_held():  # the first submit forks the workers
            # Python >= 3.12 warns about fork() in a process with (native BLAS) threads
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            return pool.submit(_run_chunk, self.fn, chunk)

    @staticmethod
    def _wait_pool(futures: list) -> set:
        finished, _ = wait(futures, return_when=FIRST_COMPLETED)
        return finished

    def _submit_dask(self, chunk: list):
        from dask.distributed import as_completed

        client = self._ensure_client()
        fut = client.submit(_run_chunk_with, self.fn, self._dask_context, chunk, pure=False)
        if self._completed is None:
            self._completed = as_completed()
        self._completed.add(fut)
        return fut

    def _wait_dask(self, futures: list) -> set:
        # as_completed waits on a thread condition, which Ctrl-C interrupts cleanly
        wanted = set(futures)
        assert self._completed is not None  # made by _submit_dask, which comes first
        return {f for f in self._completed.next_batch(block=True) if f in wanted}


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
