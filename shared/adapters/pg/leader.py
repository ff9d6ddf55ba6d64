"""Which of an instance's processes leads a duty that must run in one process at a time (the scanners):
the one holding a session-level advisory lock (`pg_try_advisory_lock`, key: the instance's schema and the
duty's name) on a connection of its own, kept while the process lives.

A process that does not lead tries again whenever asked (the scanner loop asks every scan period). The
lock ends with its session: when the leader dies (even by SIGKILL, its socket closes) or its connection
breaks, the server releases it and the next process to ask takes it over. Keepalives bound how long a
session whose peer vanished without closing (a host gone) keeps it.
"""

from __future__ import annotations

import logging
import os
import threading

import psycopg

from shared.adapters.pg.store import lock_key

log = logging.getLogger(__name__)

KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


class Leadership:
    def __init__(self, url: str, schema: str) -> None:
        self.url, self.schema = url, schema
        self._conn: psycopg.Connection | None = None
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def leads(self, duty: str) -> bool:
        """Whether this process leads `duty` now (taking the lead if nobody holds it)."""
        with self._lock:
            try:
                conn = self._connection()
                if duty in self._held:
                    conn.execute("SELECT 1")  # the session lives, so the lock it holds is still ours
                    return True
                key = lock_key(f"{self.schema}.{duty}")
                if conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
                    self._held.add(duty)
                    log.info("leading", extra={"duty": duty, "pid": os.getpid()})
                    return True
                return False
            except psycopg.Error as error:
                if self._held:
                    log.warning("lead lost", extra={"duties": sorted(self._held), "error": type(error).__name__})
                self._drop()
                return False

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._drop()
            self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5, **KEEPALIVES)
        return self._conn

    def _drop(self) -> None:
        """The session is gone, and with it every lock it held."""
        self._held.clear()
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop()
