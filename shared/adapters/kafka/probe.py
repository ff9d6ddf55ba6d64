"""Does a broker really answer a metadata request? Used by readiness checks and deploy/kafka/start.sh.

`python -m shared.adapters.kafka.probe HOST:PORT [--timeout S] [--credentials DIR]` exits 0 once it does
(as the admin principal of DIR, if given), 1 if not within the timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import socket
import sys
import threading
import time
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from shared.adapters.kafka.access import KafkaAccess
from shared.rules.broker_access import ADMIN


def _reachable(bootstrap: str, timeout: float) -> bool:
    """A TCP connect to any bootstrap address; the admin client alone would block ~30 s on a dead port."""
    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


class BrokerProbe:
    """`broker_answers` for a readiness check asked every few seconds: one admin connection, logged in once
    and kept, asked for metadata each time. A new connection and login per probe cost the instance ~11 ms of
    CPU and the broker a SCRAM login, every 2 s for every instance of a zone. A probe that fails drops the
    connection; the next one connects anew (a TCP connect first, so a dead port answers at once)."""

    def __init__(self, kafka: KafkaAccess, timeout: float) -> None:
        self.kafka, self.timeout = kafka, timeout
        self._admin: KafkaAdminClient | None = None
        self._lock = threading.Lock()

    def answers(self) -> bool:
        with self._lock:
            try:
                if self._admin is None:
                    if not _reachable(self.kafka.bootstrap, self.timeout):
                        return False
                    timeout_ms = max(int(self.timeout * 1000), 1000)
                    self._admin = KafkaAdminClient(**self.kafka.config(), request_timeout_ms=timeout_ms)
                self._admin.list_topics()  # a metadata request: any principal may make it
                return True
            except (KafkaError, OSError, ValueError):  # KafkaConfigurationError included: misconfig is 'no'
                self._drop()
                return False

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._admin is not None:
            admin, self._admin = self._admin, None
            with contextlib.suppress(Exception):  # a connection already broken: nothing more to close
                admin.close()


def broker_answers(kafka: KafkaAccess, timeout: float = 2.0) -> bool:
    """One question over a connection of its own, closed after (start.sh's wait, the tests' checks)."""
    probe = BrokerProbe(kafka, timeout)
    try:
        return probe.answers()
    finally:
        probe.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--credentials", type=Path, default=None)
    args = parser.parse_args()
    kafka = KafkaAccess.of(args.bootstrap, args.credentials, ADMIN) if args.credentials else KafkaAccess(args.bootstrap)
    logging.basicConfig(level=logging.CRITICAL)
    deadline = time.monotonic() + args.timeout
    while True:
        if broker_answers(kafka, timeout=2.0):
            return 0
        if time.monotonic() >= deadline:
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
