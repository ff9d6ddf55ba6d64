"""The storage failures an entry point answers for (a 503, a batch's chunk that stopped, a readiness probe
that says no), whichever backend the store is: SQLite's and, when psycopg is installed, PostgreSQL's
operational errors (a server away, a connection lost, a pool with no connection to give)."""

from __future__ import annotations

import sqlite3

try:
    import psycopg
    import psycopg_pool
except ImportError:  # a SQLite-only installation
    _PG_OPERATIONAL: tuple[type[Exception], ...] = ()
    _PG_ANY: tuple[type[Exception], ...] = ()
else:
    _PG_OPERATIONAL = (psycopg.OperationalError, psycopg_pool.PoolTimeout)
    _PG_ANY = (psycopg.Error,)

# A store that cannot work now (a full disk, a lock held too long, a server away): an answer of 503.
STORAGE_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, *_PG_OPERATIONAL)
# Any error a store raises (a readiness probe's or a housekeeping loop's catch-all for the store).
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, *_PG_ANY)
