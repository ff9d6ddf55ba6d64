"""Waiting for outcomes in an eventually-consistent system, without fixed sleeps."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


# How long a wait may take before the test fails: a bound against hanging, not a latency check (the benchmark
# measures how soon a region sees another's event: tens of milliseconds). A wait of this default that takes
# longer than SLOW_WAIT passes with a warning, so a slow path shows in the run's warnings summary before it
# fails anything (a wait given a timeout of its own expects to be long: a broker's restart, a rule firing).
WAIT_SECONDS = 15.0
SLOW_WAIT = 10.0


class SlowWait(UserWarning):
    """A wait that succeeded after more than SLOW_WAIT seconds."""


def eventually(
    probe: Callable[[], T],
    timeout: float | None = None,
    interval: float = 0.05,
    what: str = "condition",
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """Call `probe` until it returns something truthy (or stops raising AssertionError, or one of
    `ignoring`: a service still starting); return that."""
    limit = WAIT_SECONDS if timeout is None else timeout
    started = time.monotonic()
    deadline = started + limit
    last_error: Exception | None = None
    while True:
        try:
            result = probe()
            if result:
                if (waited := time.monotonic() - started) > SLOW_WAIT and timeout is None:
                    warnings.warn(f"waited {waited:.1f} s for {what}", SlowWait, stacklevel=2)
                return result
        except (AssertionError, *ignoring) as error:
            last_error = error
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit}s waiting for {what}") from last_error
        time.sleep(interval)
