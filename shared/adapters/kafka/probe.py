"""Does a broker really answer a metadata request? Used by readiness checks and deploy/kafka/start.sh.

`python -m shared.adapters.kafka.probe HOST:PORT [--timeout S] [--credentials DIR]` exits 0 once it does
(as the admin principal of DIR, if given), 1 if not within the timeout.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
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


def broker_answers(kafka: KafkaAccess, timeout: float = 2.0) -> bool:
    if not _reachable(kafka.bootstrap, timeout):
        return False
    try:
        admin = KafkaAdminClient(
            **kafka.config(),
            request_timeout_ms=max(int(timeout * 1000), 1000),
        )
    except (KafkaError, OSError, ValueError):  # KafkaConfigurationError included: misconfig is 'no'
        return False
    try:
        admin.list_topics()  # a metadata request: any principal may make it (it sees the topics it may describe)
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


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
