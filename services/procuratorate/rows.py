"""The procuratorate tables' rows as the store hands them back (types only: a row stays a dict). Columns not
NOT NULL may be empty: a later event (a decision, an assignment, a step) can make a stub row before the one
that creates the record arrives. Timestamps are ISO text, as stored; texts are held by their SHA-256 only;
JSON lists come back decoded (empty when not yet known) and 0/1 flags as booleans."""

from __future__ import annotations

from typing import TypedDict


class ReferralRow(TypedDict):
    """A row of referrals: a case clue one office referred to another, as every region party to it knows it."""

    id: str
    from_region: str | None  # the sending office, which owns it
    to_region: str | None  # the receiving office, which decides it
    offence: str | None
    referred_at: str | None
    due_at: str | None
    content_sha256: str | None  # what was sent, as the delivery receipts name it
    status: str  # referred, accepted or declined
    case_number: str | None  # the receiver's own, once accepted
    decided_at: str | None
    overdue_flagged: bool
    title_sha256: str | None
    summary_sha256: str | None
    reasons_sha256: str | None


class AssistanceRow(TypedDict):
    """A row of assistance: an office's request for investigative assistance, and the asked office's answer."""

    id: str
    requesting_region: str | None  # which owns it
    asked_region: str | None  # which assigns and answers it
    kind: str | None
    requested_at: str | None
    due_at: str | None
    content_sha256: str | None
    status: str  # requested, assigned or answered
    assignee: str | None
    assigned_at: str | None
    material_ids: list[str]  # the materials named with the answer
    answered_at: str | None
    overdue_flagged: bool
    subject_sha256: str | None
    results_sha256: str | None


class JointCaseRow(TypedDict):
    """A row of joint_cases: a cross-region public-interest case, its lead and participants, its latest step."""

    id: str
    lead_region: str | None
    title: str | None
    matter: str | None
    participants: list[str]  # the other regions
    opened_at: str | None
    status: str  # open, or closed once the lead closes it
    step: str | None
    step_at: str | None


class FindingRow(TypedDict):
    """A row of findings: what a participant contributed to a joint case."""

    id: str
    case_id: str
    region: str  # the contributing region
    material_ids: list[str]
    contributed_at: str
    summary_sha256: str | None


class StepRow(TypedDict):
    """A row of steps: a procedural step the lead region decided in a joint case."""

    id: str
    case_id: str
    step: str
    note_sha256: str
    decided_at: str


class MaterialRow(TypedDict):
    """A row of materials: a material as the zone knows it (a `secret` one by its hash and holder alone)."""

    id: str
    record_id: str  # the referral, request or case it is registered for
    holder_region: str
    classification: str
    sha256: str
    name: str | None
    size: int | None
    content_type: str | None
    registered_at: str


class MaterialContentRow(TypedDict):
    """A row of material_contents: a material's content, kept by its holder alone."""

    material_id: str
    name: str
    content_type: str
    content: bytes


class SignedReceipt(TypedDict):
    """A row of receipts as its region signed it (the `Receipt` view's fields): its `id` named `receipt_id`,
    without the sender's scanner flag. Not the table's row, so the service does not declare it as one."""

    receipt_id: str
    record_id: str
    record_kind: str
    kind: str
    sender_region: str
    recipient_region: str
    region: str
    at: str
    actor: str | None
    content_sha256: str
    previous_sha256: str | None
    key_id: str
    signature: str
