"""When documents are linted: debounced, on one worker thread, never for a stale version.

Typing must never wait for a lint. The event loop only records versions and starts
timers; the engine runs on a single worker thread (its project indexes are not shared
between threads, and one thread keeps a 2-core machine responsive). Per document:

- a change restarts the document's timer (the debounce), so a burst of keystrokes is
  one lint, of the text as it is when the burst ends;
- a new change while a lint runs cancels the wait for it: its result describes a version
  the editor no longer shows and is dropped, and a job not started yet leaves the queue;
- a result is published only if the document's version is still the one linted.

Other work for the worker (fixes for code actions, forgetting the project after a save)
goes through :meth:`LintScheduler.call`, in order with the lints.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from mlflow_lint.lsp.documents import Snapshot
from mlflow_lint.lsp.linting import LintOutcome

T = TypeVar("T")
logger = logging.getLogger(__name__)


class LintScheduler:
    """Debounced lints of open documents, published only while still current."""

    def __init__(
        self,
        lint: Callable[[Snapshot], LintOutcome],
        snapshot_of: Callable[[str], Snapshot | None],
        publish: Callable[[LintOutcome], None],
    ) -> None:
        self._lint = lint
        self._snapshot_of = snapshot_of
        self._publish = publish
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlflow-lint-worker")
        self._pending: dict[str, asyncio.Task[None]] = {}
        # The editor's version of each open document, written on the event loop and read
        # by the worker (a dict read is atomic): a queued lint of an older one is skipped.
        self._versions: dict[str, int | None] = {}

    def note_version(self, key: str, version: int | None) -> None:
        self._versions[key] = version

    def current(self, key: str, version: int | None) -> bool:
        return key in self._versions and self._versions[key] == version

    def schedule(self, key: str, delay: float) -> None:
        """Lint document ``key`` ``delay`` seconds from now, superseding any lint of it
        that is waiting or running."""
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        task = asyncio.get_running_loop().create_task(self._lint_later(key, delay))
        self._pending[key] = task
        task.add_done_callback(lambda done: self._pending.pop(key, None) if self._pending.get(key) is done else None)

    def pending(self, key: str) -> asyncio.Task[None] | None:
        """The lint of ``key`` waiting or under way, if any."""
        task = self._pending.get(key)
        return task if task is not None and not task.done() else None

    def forget(self, key: str) -> None:
        """The document was closed: nothing more is published for it."""
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        self._versions.pop(key, None)

    async def lint_now(self, snapshot: Snapshot) -> LintOutcome | None:
        """Lint ``snapshot`` on the worker (None when it was superseded before its turn)."""
        return await self.call(self._lint_if_current, snapshot)

    async def call(self, function: Callable[..., T], *args: object) -> T:
        """Run ``function(*args)`` on the worker thread, in turn with the lints. Cancelling
        the caller drops a job that has not started (a running one finishes unobserved)."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, function, *args)

    def submit(self, function: Callable[..., object], *args: object) -> None:
        """Queue ``function(*args)`` on the worker without waiting for it."""
        self._worker.submit(_logged, function, *args)

    def close(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()
        self._worker.shutdown(wait=False, cancel_futures=True)

    async def _lint_later(self, key: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            snapshot = self._snapshot_of(key)
            if snapshot is None:
                return
            outcome = await self.lint_now(snapshot)
            if outcome is not None and self.current(key, snapshot.version):
                self._publish(outcome)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a task's error would be logged with its traceback
            logger.error("mlflow-lint: linting %s failed: %s: %s", key, exc.__class__.__name__, exc)

    def _lint_if_current(self, snapshot: Snapshot) -> LintOutcome | None:
        if not self.current(snapshot.uri, snapshot.version):
            return None  # edited again while this waited in the queue
        return self._lint(snapshot)


def _logged(function: Callable[..., object], *args: object) -> None:
    try:
        function(*args)
    except Exception as exc:  # noqa: BLE001 - a background job's failure must not stop the worker
        logger.error("mlflow-lint: background job %s failed: %s: %s", getattr(function, "__name__", function), exc.__class__.__name__, exc)
