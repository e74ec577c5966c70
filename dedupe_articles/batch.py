"""Running a batch of files: in this process or a pool of processes, stoppable.

:func:`run_batch` cleans every target and hands each outcome on in path order as
soon as it and those before it are ready, so that output streams while later files
are still being cleaned. Ctrl-C or ``kill`` stops a run cleanly: the files being
written are finished (or their temporary files removed), the rest are not started.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from dedupe_articles.core import clean
from dedupe_articles.files import Cleaner, FileOutcome, Settings, Target, process_file

if TYPE_CHECKING:
    from concurrent.futures import Executor

_busy = False
# The output directories a worker process has made: its pool serves one run.
_made: set[str] = set()


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides to stop, and
    # lets the workers finish the file they are on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
    _made.clear()


def _worker_sigterm(signum: int, frame: object) -> None:
    # Killed mid-file: unwind (atomic_write holds the signal back while it writes, so
    # the article is old or new and no temporary file stays). Killed between files:
    # leave without a traceback.
    raise KeyboardInterrupt if _busy else SystemExit(128 + signum)


def _work(target: Target, settings: Settings, cleaner: Cleaner) -> FileOutcome:
    global _busy
    _busy = True
    try:
        return process_file(target, settings, cleaner, _made)
    finally:
        _busy = False


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Let ``kill`` stop a run as cleanly as Ctrl-C does (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def available_cpus() -> int:
    # The CPUs this process may run on (a container's limit), not the machine's.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def process_pool(workers: int) -> Iterator[Executor | None]:
    if workers < 2:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    try:
        # Fork the workers now, before the progress bar starts its thread: forking a
        # process that has threads can deadlock the child.
        pool.submit(int)
        yield pool
    finally:
        # On Ctrl-C: drop what has not started, wait for the files being written.
        pool.shutdown(wait=True, cancel_futures=True)


def run_batch(
    items: Sequence[Target | FileOutcome],
    settings: Settings,
    pool: Executor | None,
    emit: Callable[[FileOutcome], None],
    advance: Callable[[], None],
) -> list[FileOutcome]:
    """Process every target; call ``emit`` in path order as soon as each is ready."""
    results: list[FileOutcome | None] = [i if isinstance(i, FileOutcome) else None for i in items]
    emitted = 0

    def flush() -> None:
        nonlocal emitted
        while emitted < len(results) and (ready := results[emitted]) is not None:
            emit(ready)
            results[emitted] = replace(ready, diff=None)  # printed; no need to keep it
            emitted += 1

    def deliver(index: int, outcome: FileOutcome) -> None:
        results[index] = outcome
        advance()
        flush()

    for item in items:
        if isinstance(item, FileOutcome):
            advance()
    flush()
    todo = [(i, t) for i, t in enumerate(items) if isinstance(t, Target)]
    if pool is None:
        made: set[str] = set()  # output directories, made once each
        for index, target in todo:
            deliver(index, process_file(target, settings, clean, made))
        return [r for r in results if r is not None]
    from concurrent.futures import as_completed

    futures = {pool.submit(_work, t, settings, clean): (i, t) for i, t in todo}
    for future in as_completed(futures):
        index, target = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # a worker died, or the task could not be sent to one
            outcome = FileOutcome(target.path, "failed", error=f"internal error: {exc!r}")
        deliver(index, outcome)
    return [r for r in results if r is not None]
