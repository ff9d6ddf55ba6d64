"""Who owns what in notary linkage: a certificate is its issuing region's; a proof request is the
requesting office's (it holds the subject's identity), and the region asked for the proof takes part,
as do the agency systems of both offices."""

from __future__ import annotations

from shared.rules.ownership import RecordKind

CERTIFICATE = RecordKind("certificate", owner_field="issuer_region")
PROOF_REQUEST = RecordKind(
    "proof request",
    owner_field="requesting_region",
    involved_fields=("holding_region",),
    agency_fields=("agency", "holding_agency"),
)
# The answer is the holding region's own record: only the holder gives it.
PROOF_ANSWER = RecordKind("proof request", owner_field="holding_region", agency_fields=("agency", "holding_agency"))
# A document given with an answer stays with the holder; the requesting office takes part (it reads it).
PROOF_DOCUMENT = RecordKind(
    "proof document",
    owner_field="holding_region",
    involved_fields=("requesting_region",),
    agency_fields=("agency", "holding_agency"),
)
