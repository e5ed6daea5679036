"""Work that would hold the server's event loop (reading an upload; a new comparison, which
under a Student-t or count model takes up to seconds) runs in worker processes shared by the
sessions of a server process; its result comes back to the session on the document's next
tick. No layout here."""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

WORKERS = 2
"""Worker processes per server process, shared by its sessions (the two cores of the machine
the benchmarks ran on)."""
_pool: list[ProcessPoolExecutor] = []


class Runner(Protocol):
    """run(job, args, then, failed): call `then(job(*args))` now or later, or `failed(error)`
    when the job raised (a runner may also let the error propagate); returns the job's Future
    when it runs later (cancelling it drops the job if it has not started), else None."""

    def __call__(
        self,
        job: Callable[..., Any],
        args: tuple[Any, ...],
        then: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> Future | None: ...


def submit(job: Callable[..., T], *args: object) -> Future[T]:
    """`job(*args)` in a worker process: in a thread it would hold the interpreter lock and so
    the event loop for up to a quarter second at a time (benchmarks/upload.py). The workers
    start on first use (spawned: the server's threads are not forked), and start again once
    if one died. `job` and `args` must pickle."""
    for _ in range(2):
        if not _pool:
            spawn = multiprocessing.get_context("spawn")
            _pool.append(ProcessPoolExecutor(max_workers=WORKERS, mp_context=spawn))
        try:
            return _pool[0].submit(job, *args)
        except BrokenProcessPool:
            _pool.clear()
    raise BrokenProcessPool("the worker processes cannot be started")


def _load(module: str) -> None:
    """Import `module` (in a worker, ahead of its first job)."""
    importlib.import_module(module)


def start() -> None:
    """Start the worker processes, each with the app's state module (numpy, param and the
    core; not Panel) loaded, now rather than on a session's first slow computation."""
    if not _pool:
        for _ in range(WORKERS):
            submit(_load, "partialpool.app.state")


def at_once(
    job: Callable[..., T],
    args: tuple[Any, ...],
    then: Callable[[T], None],
    failed: Callable[[Exception], None],
) -> None:
    """`then(job(*args))` here and now; an error propagates (outside a server, in tests)."""
    then(job(*args))


def off_the_loop(
    job: Callable[..., T],
    args: tuple[Any, ...],
    then: Callable[[T], None],
    failed: Callable[[Exception], None],
) -> Future[T] | None:
    """`job(*args)` in a worker process (`submit`), then `then(result)`, or `failed(error)`
    when it raised or the worker died, on the served document's next tick; nothing when the
    returned Future was cancelled. Outside a server, `at_once`."""
    from .throttle import served_document  # Panel: not loaded in the worker processes

    doc = served_document()
    if doc is None:
        return at_once(job, args, then, failed)

    def done(future: Future[T]) -> None:
        if future.cancelled():
            return
        try:
            callback = partial(then, future.result())
        except Exception as err:  # the job's own error, or a crashed worker: say so
            callback = partial(failed, err)
        with contextlib.suppress(Exception):  # the session may have closed meanwhile
            doc.add_next_tick_callback(callback)

    try:
        future = submit(job, *args)
    except BrokenProcessPool as err:
        failed(err)
        return None
    future.add_done_callback(done)
    return future
