"""A realistic proof request for the tests that ask another region for a proof."""

from __future__ import annotations

from tests.e2e.filing_data import id_number


def proof_request_body(holding_region: str = "jiashan", **extra: str) -> dict:
    return {
        "holding_region": holding_region,
        "proof_type": "kinship",
        "subject_name": "沈某",
        "subject_id_number": id_number(),
        "purpose": "办理继承公证",
        "application_ref": "QP-2026-001",
        **extra,
    }
