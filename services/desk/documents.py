"""Documents a person uploads at the desk: hashed here (SHA-256, what the API records). A file is kept in
the desk's store of the receiving region (var/desk/{region}/documents/, by hash, readable by the desk's
own user only) only once the API has accepted the command that names it, and only for the retention set
(YRD_DESK_DOCUMENT_RETENTION_DAYS): the store is swept at start and daily. A certificate checked at the
verification window is hashed in memory and never kept. Only a file's name and hash travel."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

DAY = 86400.0


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def described(name: str, content: bytes) -> Stored:
    """A file's name (no folders) and hash, without keeping it."""
    digest = sha256_of(content)
    return Stored(Path(name).name or digest, digest, len(content))


class DocumentStore:
    def __init__(self, folder: Path, retention_days: float = 30) -> None:
        self.folder = folder
        self.retention = retention_days * DAY

    def keep(self, name: str, content: bytes) -> Stored:
        stored = described(name, content)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.folder / stored.sha256
        if path.exists():  # content-addressed: the same bytes are kept once, their retention restarted
            os.utime(path)
            return stored
        partial = path.with_suffix(".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        os.chmod(partial, 0o600)  # whatever the umask
        os.replace(partial, path)
        return stored

    def has(self, digest: str) -> bool:
        return len(digest) == 64 and (self.folder / digest).exists()

    def sweep(self, now: float | None = None) -> int:
        """Removes the files kept longer than the retention; answers how many."""
        if not self.folder.is_dir():
            return 0
        limit = (time.time() if now is None else now) - self.retention
        removed = 0
        for path in self.folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # a sweep of another desk process got there first
                continue
        return removed
