"""What a store transaction carries besides its SQL, kept on its connection: whether it staged outbox rows
(the relay is woken once it commits) and what is to happen only once it has committed (a metric of a
decision, say). A savepoint rolled back takes its share of both with it, so work that is undone and done
again (a run of consumed records, a group commit's failing unit) is counted once, as it was committed."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class Tracked:
    """What a store connection of either backend carries: `staged` says whether its open transaction put
    rows in the outbox, `committed` holds what to run once it commits."""

    staged = False
    committed: list[Callable[[], None]]


class Connection(sqlite3.Connection, Tracked):
    """A SQLite store connection."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.committed = []


def staged_outbox(conn: sqlite3.Connection) -> None:
    """Note that `conn`'s transaction staged outbox rows: the relay is woken once it commits (if it has one)."""
    if isinstance(conn, Tracked):
        conn.staged = True


def after_commit(conn: sqlite3.Connection, action: Callable[[], None]) -> None:
    """Run `action` once `conn`'s write transaction has committed, and never if the part of it that asked
    is rolled back. Outside a store connection (a plain one in a tool), at once."""
    if isinstance(conn, Tracked):
        conn.committed.append(action)
    else:
        action()


def mark(conn: sqlite3.Connection) -> int:
    """Where a savepoint starts in the transaction's after-commit actions."""
    return len(conn.committed) if isinstance(conn, Tracked) else 0


def rolled_back_to(conn: sqlite3.Connection, at: int) -> None:
    """A savepoint begun at `at` was rolled back: what it asked to run after the commit goes with it."""
    if isinstance(conn, Tracked):
        del conn.committed[at:]


def ended(conn: sqlite3.Connection, committed: bool) -> bool:
    """The transaction ended: its after-commit actions run if it committed (a failing one is logged, it
    cannot undo the commit), and are dropped if not. True if it committed outbox rows (they are visible
    now: the relay is to be woken)."""
    if not isinstance(conn, Tracked):
        return False
    actions, conn.committed = conn.committed, []
    staged, conn.staged = conn.staged, False
    for action in actions if committed else ():
        try:
            action()
        except Exception:
            log.exception("an after-commit action failed")
    return staged and committed


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str, keep: bool = True) -> Iterator[None]:
    """A nested unit inside the caller's transaction: released if the block succeeds (and `keep`), rolled
    back if it raises or `keep` is False (a dry run whose only effect is what it raised)."""
    at = mark(conn)
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        rolled_back_to(conn, at)
        raise
    if not keep:
        conn.execute(f"ROLLBACK TO {name}")
        rolled_back_to(conn, at)
    conn.execute(f"RELEASE {name}")
