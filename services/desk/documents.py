"""Documents a person uploads at the desk: hashed here (SHA-256, what the API records), and kept in the
desk's store of the receiving region (var/desk/{region}/documents/, by hash), so the file stays where the
filing was received and only its name and hash travel."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class DocumentStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def keep(self, name: str, content: bytes) -> Stored:
        digest = sha256_of(content)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / digest
        if not path.exists():  # content-addressed: the same bytes are kept once
            partial = path.with_suffix(".part")
            partial.write_bytes(content)
            os.replace(partial, path)
        return Stored(Path(name).name or digest, digest, len(content))

    def has(self, digest: str) -> bool:
        return len(digest) == 64 and (self.folder / digest).exists()
