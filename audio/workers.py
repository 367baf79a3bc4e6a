"""Worker threads of the audio package: side-by-side jobs that never hold up a deadline or a signal."""

from __future__ import annotations

import signal
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def block_signals() -> None:
    """Keep SIGTERM/SIGINT away from workers: the kernel must deliver them to a thread Python can wake."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})


def side_by_side(
    job: Callable[[T], R], items: Sequence[T], workers: int, timeout: float | None, name: str
) -> dict[int, R]:
    """Run `job` on every item on up to `workers` daemon threads; results by item index.

    Waits at most `timeout` seconds (None: until all are done): items not finished by then are
    missing from the result, and those not started are never started. The threads are daemons, so
    one stuck in a network call (a DNS lookup ignores request timeouts) cannot delay the process's
    exit. A job's exception is raised here, in the caller.
    """
    pending = deque(range(len(items)))
    results: dict[int, R] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()
    finished = threading.Event()

    def work() -> None:
        block_signals()
        while True:
            with lock:
                if not pending or errors:
                    return
                index = pending.popleft()
            try:
                result = job(items[index])
            except BaseException as exc:  # handed to the caller, which raises it
                with lock:
                    errors.append(exc)
                finished.set()
                return
            with lock:
                results[index] = result
                if len(results) == len(items):
                    finished.set()

    for n in range(max(1, min(workers, len(items)))):
        threading.Thread(target=work, name=f"{name}-{n}", daemon=True).start()
    finished.wait(timeout)
    with lock:
        pending.clear()  # what has not started by now never will
        if errors:
            raise errors[0]
        return dict(results)
