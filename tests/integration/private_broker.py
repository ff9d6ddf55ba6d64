"""A broker of the test's own, on free ports and in a temporary state directory, for tests that stop,
kill or restart a broker: the one `make run` or the rest of the suite uses is never touched."""

from __future__ import annotations

import socket
from pathlib import Path

from yrd.zone.processes import Broker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateBroker(Broker):
    """Started and stopped by deploy/kafka/start.sh and stop.sh like any broker of the project's, without
    a metrics exporter (the main broker's has the port)."""

    @classmethod
    def create(cls, state_dir: Path) -> PrivateBroker:
        return cls(state_dir, free_port(), free_port())
