"""Procuratorate rules, pure: case numbers, deadlines, what an event may say of a material, and the order
of a delivery's receipts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from shared.contracts.procuratorate import Classification, ReceiptKind
from shared.contracts.regions import Region

REFERRAL_DECISION_SECONDS = 7 * 24 * 3600  # a referral undecided this long is flagged, unless configured
RECEIPT_SECONDS = 24 * 3600  # a delivery step not evidenced this long after submission is flagged

# Each office's abbreviation in its document numbers (`青检受〔2026〕12号`: the office, the department of
# case acceptance 受, the year, the sequence).
OFFICE_ABBR: dict[Region, str] = {Region.JIASHAN: "善检", Region.QINGPU: "青检", Region.WUJIANG: "吴检"}
CASE_NUMBER = re.compile(r"^(?P<office>.+?)受〔(?P<year>\d{4})〕(?P<seq>\d+)号$")

# A delivery's receipts, in the order they are earned; the first is the sender's, the rest the recipient's.
ORDER: tuple[ReceiptKind, ...] = (
    ReceiptKind.SUBMITTED,
    ReceiptKind.RELAYED,
    ReceiptKind.DELIVERED,
    ReceiptKind.RETRIEVED,
)


def case_number(year: int, region: Region, sequence: int) -> str:
    """The receiving office's own case number for an accepted referral: gapless per office and year."""
    if sequence < 1:
        raise ValueError("case sequences start at 1")
    return f"{OFFICE_ABBR[region]}受〔{year}〕{sequence}号"


def parse_case_number(number: str) -> tuple[str, int, int] | None:
    """(office abbreviation, year, sequence) of one of our case numbers, else None."""
    match = CASE_NUMBER.match(number)
    return (match["office"], int(match["year"]), int(match["seq"])) if match else None


def due(at: datetime, seconds: int) -> datetime:
    return at + timedelta(seconds=seconds)


def overdue(open_: bool, due_at: datetime, now: datetime, flagged: bool) -> bool:
    """Flagged once: still open past its deadline and not flagged before."""
    return open_ and not flagged and now > due_at


def described(classification: Classification, name: str, size: int, content_type: str) -> dict[str, object]:
    """What an event may say of a material beyond its hash and holder: nothing, for the highest class."""
    if classification is Classification.SECRET:
        return {"name": None, "size": None, "content_type": None}
    return {"name": name, "size": size, "content_type": content_type}


def next_receipt(have: list[ReceiptKind]) -> ReceiptKind | None:
    """The receipt a recipient's chain earns next (None when it is complete)."""
    if list(have) != list(ORDER[: len(have)]):
        raise ValueError(f"receipts out of order: {[k.value for k in have]}")
    return ORDER[len(have)] if len(have) < len(ORDER) else None


def missing_past(have: list[ReceiptKind], submitted_at: datetime, now: datetime, seconds: int) -> ReceiptKind | None:
    """The receipt a delivery still lacks past its deadline (relayed, then delivered; opening is the
    reader's choice and never overdue)."""
    if now <= due(submitted_at, seconds):
        return None
    for kind in (ReceiptKind.RELAYED, ReceiptKind.DELIVERED):
        if kind not in have:
            return kind
    return None
