"""Use every core: run a function over slices of work in forked worker processes."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_task: Callable[[Any], Any] | None = None


def workers() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def _start_worker() -> None:
    # Ctrl-C is the parent's to handle; a worker must not outlive a killed build
    # (Linux: PR_SET_PDEATHSIG = 1).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(1, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(1)
    # The parent builds with the cyclic collector paused; a worker renders thousands of pages, whose
    # cycles would otherwise pile up. The parent's objects were frozen before the fork: a collection
    # here goes over only what the worker made.
    gc.enable()


def give_back_memory() -> None:
    """Return the heap's free pages to the system (glibc), before forking: a worker's resident
    set starts as the parent's, so pages the parent freed but kept would count in every one
    (60 MB of the parse cache's leftovers at 10,000 articles)."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().malloc_trim(0)


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _run(item: Any) -> Any:
    assert _task is not None
    return _task(item)


def map_forked(
    task: Callable[[T], R],
    items: Sequence[T],
    minimum: int = 2,
    done: Callable[[T], None] | None = None,
    meanwhile: Callable[[list[R]], None] | None = None,
    held: int = 0,
) -> list[R]:
    """`[task(x) for x in items]`, spread over forked processes when it pays.

    The task may be a closure: workers are forked after it is set, so they share
    the parent's memory (the site model) without pickling it. Items do go to the
    workers by pickle: pass indices, never model objects (an event pickles the whole
    archive, past the recursion limit, and the pool then waits for ever). `done` is
    called in this process with each item whose result has arrived.

    `meanwhile` is called in this process with the results of every item but the last `held` once
    they are done, while the workers go on with those (the search index made as the data files are written).
    """
    global _task
    count = workers()
    if count < 2 or len(items) < minimum or "fork" not in multiprocessing.get_all_start_methods():

        def run(item: T) -> R:
            result = task(item)
            if done:
                done(item)
            return result

        first = [run(item) for item in items[: len(items) - held]]
        if meanwhile:
            meanwhile(first)
        return first + [run(item) for item in items[len(items) - held :]]
    _task = task
    give_back_memory()
    gc.freeze()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_start_worker)
    try:
        futures = [pool.submit(_run, item) for item in items]
        awaited = futures[: len(items) - held]
        waiting = set(awaited)
        if meanwhile and not waiting:
            meanwhile([])
        numbers = {future: number for number, future in enumerate(futures)}
        for future in as_completed(futures):
            future.result()  # a worker's error is raised here
            if done:
                done(items[numbers[future]])  # in the parent, as each result arrives: progress stays in one place
            if meanwhile and future in waiting:
                waiting.discard(future)
                if not waiting:
                    meanwhile([found.result() for found in awaited])
        results = [future.result() for future in futures]
    except BaseException:
        # An error or Ctrl-C: the queued work is dropped, and what the workers are writing is finished
        # before the caller removes the folder they write in (a data file, written beside the search
        # index, takes a second at 10,000 articles: a build started then would find it written into).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        _task = None
        gc.unfreeze()
    pool.shutdown()
    return results


def slices(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    """Split a sequence into about `parts` contiguous slices."""
    size = max(1, -(-len(items) // max(1, parts)))
    return [items[i : i + size] for i in range(0, len(items), size)]
