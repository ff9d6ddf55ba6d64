"""What a corrections instance is configured with, once, at start-up (declaration.py makes it)."""

from __future__ import annotations

from dataclasses import dataclass

from services.corrections import domain


@dataclass(frozen=True)
class Config:
    id_hash_key: bytes  # the zone's key for keyed hashes of ID numbers
    enrol_report_in_seconds: int = domain.ENROL_REPORT_IN_SECONDS
    transfer_report_in_seconds: int = domain.TRANSFER_REPORT_IN_SECONDS
    retention_days: int = domain.RETENTION_DAYS
