"""What a purge frees and what gets it back (docs/data-scale.md): on a copy of a filled filing store, the
oldest third of its filings deleted with their timelines, party hashes and audit index (a year of three),
then the file's size, its free pages, the same volume inserted again (SQLite reuses free pages before it
grows the file), `VACUUM` (rewrites the file: returns the free pages to the disk), and
`auto_vacuum = INCREMENTAL` with `PRAGMA incremental_vacuum` (returns free pages a step at a time)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any


def _pages(conn: sqlite3.Connection) -> dict[str, int]:
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return {
        "file_mib": conn.execute("PRAGMA page_count").fetchone()[0] * size // 2**20,
        "free_mib": conn.execute("PRAGMA freelist_count").fetchone()[0] * size // 2**20,
    }


def _purge_oldest(conn: sqlite3.Connection, fraction: float) -> list[tuple]:
    """Delete the oldest `fraction` of filings and what hangs on them; answers the filings deleted (to put
    back later)."""
    (total,) = conn.execute("SELECT count(*) FROM filings").fetchone()
    (cutoff,) = conn.execute(
        "SELECT submitted_at FROM filings ORDER BY submitted_at LIMIT 1 OFFSET ?", (int(total * fraction),)
    ).fetchone()
    columns = [r[1] for r in conn.execute("PRAGMA table_info(filings)") if r[1] != "listed"]
    gone = conn.execute(f"SELECT {', '.join(columns)} FROM filings WHERE submitted_at < ?", (cutoff,)).fetchall()
    conn.execute("BEGIN")
    ids = "SELECT id FROM filings WHERE submitted_at < ?"
    conn.execute(f"DELETE FROM timeline WHERE record_id IN ({ids})", (cutoff,))
    conn.execute(f"DELETE FROM filing_party_hashes WHERE filing_id IN ({ids})", (cutoff,))
    conn.execute(f"DELETE FROM audit_index WHERE record IN ({ids})", (cutoff,))
    conn.execute("DELETE FROM filings WHERE submitted_at < ?", (cutoff,))
    conn.execute("COMMIT")
    return [tuple(columns), *gone]


def measure(store: Path, work: Path, fraction: float = 1 / 3) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for mode in ("none", "incremental"):
        copy = work / f"vacuum-{mode}.sqlite3"
        shutil.copyfile(store, copy)
        conn = sqlite3.connect(copy, isolation_level=None)
        if mode == "incremental":  # the mode is kept in the file's header; a VACUUM puts it in place
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            started = time.perf_counter()
            conn.execute("VACUUM")
            found["switch_to_incremental_s"] = round(time.perf_counter() - started, 1)
        found[f"{mode}: filled"] = _pages(conn)
        started = time.perf_counter()
        gone = _purge_oldest(conn, fraction)
        found[f"{mode}: purge_s"] = round(time.perf_counter() - started, 1)
        found[f"{mode}: after the purge"] = _pages(conn)
        if mode == "none":
            columns, rows = gone[0], gone[1:]
            conn.execute("BEGIN")
            conn.executemany(
                f"INSERT INTO filings({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
            )
            conn.execute("COMMIT")
            found["none: the same filings inserted again"] = _pages(conn)
            conn.execute(
                "DELETE FROM filings WHERE rowid IN (SELECT rowid FROM filings ORDER BY rowid DESC LIMIT ?)",
                (len(rows),),
            )
            started = time.perf_counter()
            conn.execute("VACUUM")
            found["none: VACUUM_s"] = round(time.perf_counter() - started, 1)
            found["none: after VACUUM"] = _pages(conn)
        else:
            started = time.perf_counter()
            # 100 MiB of 4 KiB pages. A script, so it runs to its end: `execute` steps a pragma once (one page).
            conn.executescript("PRAGMA incremental_vacuum(25600)")
            found["incremental: incremental_vacuum(100 MiB)_s"] = round(time.perf_counter() - started, 2)
            found["incremental: after incremental_vacuum(100 MiB)"] = _pages(conn)
        conn.close()
        copy.unlink()
    return found
