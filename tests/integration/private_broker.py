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


# A broker killed with -9 and started again cannot register until the controller has fenced its old
# session (broker.session.timeout.ms, 9 s by default): every restart of these tests waited that long for
# nothing. A short session, with heartbeats to match, lets the restarted broker in within about two seconds.
# Only for brokers the tests kill: the project's keep the defaults, which ride out a long garbage collection.
QUICK_FENCING = "broker.heartbeat.interval.ms=500\nbroker.session.timeout.ms=2000\n"


class PrivateBroker(Broker):
    """Started and stopped by deploy/kafka/start.sh and stop.sh like any broker of the project's, without
    a metrics exporter (the main broker's has the port)."""

    @classmethod
    def create(cls, state_dir: Path) -> PrivateBroker:
        return cls(state_dir, free_port(), free_port(), extra_config=QUICK_FENCING)
