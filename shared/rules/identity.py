"""What may be shown or matched of a national identifier (pure functions, no I/O). Masked forms are what
may be displayed or shared; the full number stays in its owner's store; a keyed hash lets regions match a
number without exchanging it. The standards themselves (check characters) are in shared/contracts/identifiers.py.
"""

from __future__ import annotations

import hashlib
import hmac


def mask_id(id_number: str) -> str:
    """First 6 and last 4 kept: 330421********123X."""
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_name(name: str) -> str:
    """Family name kept: 张三 → 张*, 欧阳娜娜 → 欧***; Latin names keep the first letter."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def keyed_hash(id_number: str, key: bytes) -> str:
    """Lets regions match an ID number without exchanging it (HMAC-SHA256, key shared by the regions)."""
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()
