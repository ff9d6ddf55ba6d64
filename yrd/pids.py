"""Stopping processes this checkout started, by the pids it recorded, and nothing else: a recorded pid is
signalled only while its command line still carries a mark of ours (pids are reused once a process ends)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path


def _command_line(pid: int) -> bytes | None:
    """The process's command line, or None once it is gone (a zombie counts as gone)."""
    try:
        if b"State:\tZ" in Path(f"/proc/{pid}/status").read_bytes():
            return None
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def ours(pid: int, marks: Iterable[str | bytes]) -> bool:
    command = _command_line(pid)
    return command is not None and any((m if isinstance(m, bytes) else m.encode()) in command for m in marks)


def stop(pids: Iterable[int], marks: Iterable[str | bytes], sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
    """Send `sig` to those of `pids` that are still ours, wait for them to go (SIGKILL after `timeout`);
    answer how many were running."""
    marks = list(marks)
    running = [pid for pid in pids if ours(pid, marks)]
    for pid in running:
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while any(ours(pid, marks) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in running:
        if ours(pid, marks):
            os.kill(pid, signal.SIGKILL)
    while any(ours(pid, marks) for pid in running):
        time.sleep(0.05)
    return len(running)
