"""Races for the tests that check what the database lets through when many callers act at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def race(count: int, work: Callable[[int], T], *, timeout: float = 120) -> list[T | BaseException]:
    """Run `work(i)` for each i below `count`, each on its own thread, all released together by a
    barrier; return what each returned or raised, in order of i."""
    barrier = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("not run")] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return results
