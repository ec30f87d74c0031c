"""The process pool that spreads files over CPUs, and keeps its workers on a short leash.

Pool workers are the linter's children: they must never outlive it. Killed with SIGKILL
or SIGTERM, the main process cannot shut the pool down, and a worker blocked on the task
queue would wait forever (every worker holds the queue's write end, so no EOF comes),
holding the inherited standard output and error open: a caller's
``Popen.communicate()`` then hangs. So each worker dies with its parent: on Linux the
kernel sends it SIGKILL when the parent goes (``PR_SET_PDEATHSIG``), and everywhere a
watcher thread notices that its parent changed. Workers ignore Ctrl-C (SIGINT to the
whole process group): the main process handles it, ends them (:func:`terminate_all`), and
reports it once (a worker that died of it first would make the main process see a broken
pool instead).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor
    from multiprocessing.process import BaseProcess

_T = TypeVar("_T")
_S = TypeVar("_S")
_R = TypeVar("_R")

POOL_THRESHOLD = 24  # below this many files a process pool costs more than it saves
_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.25  # seconds between a worker's looks at its parent
_LIVE: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


def worker_count(jobs: int | None, task_count: int, minimum: int = POOL_THRESHOLD) -> int:
    """How many processes a run of ``task_count`` files uses (1: no pool at all); a pool
    is made from ``minimum`` tasks on (fewer, longer tasks pay for it sooner)."""
    if task_count < max(2, minimum):
        return 1
    wanted = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, task_count))


class WorkerPool:
    """A process pool made on first need, when there is enough work to pay for it."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = jobs
        self.pool: Executor | None = None

    def map(self, function: Callable[[_T, _S], _R], items: list[_T], settings: _S, minimum: int = POOL_THRESHOLD) -> Iterator[_R]:
        """``function(item, settings)`` for every item, in order (``minimum``: worker_count)."""
        workers = worker_count(self.jobs, len(items), minimum)
        if workers <= 1:
            return (function(item, settings) for item in items)
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor  # a run on a few files never needs it

            self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),))
            _LIVE.add(self)
        chunk = max(1, len(items) // (workers * 8))
        return self.pool.map(function, items, [settings] * len(items), chunksize=chunk)

    def close(self, interrupted: bool = False) -> None:
        """Shut the pool down; when interrupted, without waiting for files in progress."""
        if self.pool is None:
            return
        _LIVE.discard(self)
        # The pool forgets its processes on shutdown: take them first.
        processes = self._processes() if interrupted else []
        self.pool.shutdown(wait=not interrupted, cancel_futures=True)
        for process in processes:
            process.terminate()

    def _processes(self) -> list[BaseProcess]:
        return list((getattr(self.pool, "_processes", None) or {}).values())


def terminate_all() -> None:
    """End every worker of every live pool now (the CLI's Ctrl-C handler, which exits next)."""
    for pool in list(_LIVE):
        for process in pool._processes():
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.terminate()


def _die_with_parent(parent: int) -> None:
    """Pool initializer: end this worker when ``parent`` ends; leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watcher below still ends it
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="mlflow-lint-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    import time

    while True:
        time.sleep(_WATCH_INTERVAL)
        if os.getppid() != parent:
            os._exit(1)
