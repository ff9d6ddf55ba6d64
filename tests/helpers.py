"""Waiting for outcomes in an eventually-consistent system, without fixed sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    probe: Callable[[], T],
    timeout: float = 15.0,
    interval: float = 0.05,
    what: str = "condition",
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """Call `probe` until it returns something truthy (or stops raising AssertionError, or one of
    `ignoring`: a service still starting); return that."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = probe()
            if result:
                return result
        except (AssertionError, *ignoring) as error:
            last_error = error
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from last_error
        time.sleep(interval)
