"""Procuratorate channel events (on `{region}.procuratorate`, 检察数据通道).

A referral (线索移送) and an assistance request (协助调查) are owned by the office that sends them; the
receiving region decides its part (accepts or declines the referral; assigns and answers the request) on
its own topic. A joint public-interest case is owned by its lead region; every participant writes its
findings on its own topic, and the lead alone decides the procedural steps.

Every region reads every topic, so the events carry no free text: a referral's title and summary, a
request's subject, an answer's results, a decline's reasons, a finding's summary and a step's note are
held by the region that wrote them and read point to point by the record's parties (purpose
`prosecution`, authorised and audited by the holder). An event carries each text's SHA-256 instead, so
the receipt chain binds it and a reader verifies what the holder serves.

Materials stay with the office that produced them: events carry a material's name, size, SHA-256,
classification and holder, never its content; a `secret` material is described by its hash and holder
alone. Every step of delivery is a receipt signed by the region where it happened (`receipt-issued`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from shared.contracts.base import Payload, declare
from shared.contracts.regions import Domain

SHA256 = r"^[0-9a-f]{64}$"


class Offence(StrEnum):
    """The kind of matter a clue or case concerns."""

    CRIMINAL = "criminal"
    DUTY_CRIME = "duty_crime"  # 职务犯罪
    PUBLIC_INTEREST = "public_interest"
    ADMINISTRATIVE = "administrative"


class AssistanceKind(StrEnum):
    STATEMENT = "statement"  # take a statement
    RECORDS = "records"  # retrieve records
    VERIFICATION = "verification"  # verify a fact
    SERVICE = "service"  # serve a document


class Classification(StrEnum):
    """Ordered lowest first: `secret` is never described beyond its hash and holder on Kafka."""

    INTERNAL = "internal"  # 内部
    CONFIDENTIAL = "confidential"  # 秘密
    SECRET = "secret"  # 机密


class Step(StrEnum):
    """The procedural steps of a joint public-interest case, decided by the lead region."""

    PRE_LITIGATION_NOTICE = "pre_litigation_notice"  # 诉前检察建议 / 公告
    SUIT_FILED = "suit_filed"  # 提起公益诉讼
    SETTLEMENT = "settlement"  # 和解 / 调解
    CLOSED = "closed"


class ReceiptKind(StrEnum):
    """ETSI EN 319 522 (REM) evidence, in the order a delivery earns them."""

    SUBMITTED = "submitted"  # accepted by the sender's instance
    RELAYED = "relayed"  # committed in the receiving region
    DELIVERED = "delivered"  # shown to the receiving office
    RETRIEVED = "retrieved"  # opened by a named person


class ReferralSent(Payload):
    referral_id: str
    to_region: str
    title_sha256: str = Field(pattern=SHA256)  # the texts stay with the referring office
    summary_sha256: str = Field(pattern=SHA256)
    offence: Offence
    referred_at: datetime
    due_at: datetime  # undecided past this, the referring office flags it


class ReferralDecided(Payload):
    """The receiving region's decision, on its own topic."""

    referral_id: str
    outcome: str = Field(pattern="^(accepted|declined)$")
    case_number: str | None  # accepted: the receiver's own case number
    reasons_sha256: str | None = Field(pattern=SHA256)  # declined: why, held by the receiving office
    decided_at: datetime


class ReferralOverdue(Payload):
    referral_id: str
    due_at: datetime
    detected_at: datetime


class AssistanceRequested(Payload):
    request_id: str
    asked_region: str
    kind: AssistanceKind
    subject_sha256: str = Field(pattern=SHA256)  # what is asked: held by the asking office
    requested_at: datetime
    due_at: datetime


class AssistanceAssigned(Payload):
    request_id: str
    assignee: str  # the asked office's prosecutor (token subject)
    assigned_at: datetime


class AssistanceAnswered(Payload):
    request_id: str
    results_sha256: str = Field(pattern=SHA256)  # held by the asked office
    material_ids: list[str]
    answered_at: datetime


class AssistanceOverdue(Payload):
    request_id: str
    due_at: datetime
    detected_at: datetime


class JointCaseOpened(Payload):
    case_id: str
    title: str
    matter: str
    participants: list[str]  # the other regions taking part
    opened_at: datetime


class FindingContributed(Payload):
    """A participant's (or the lead's) finding, on the contributor's own topic."""

    case_id: str
    finding_id: str
    summary_sha256: str = Field(pattern=SHA256)  # held by the contributor
    material_ids: list[str]
    contributed_at: datetime


class StepDecided(Payload):
    case_id: str
    step_id: str
    step: Step
    note_sha256: str = Field(pattern=SHA256)  # held by the lead
    decided_at: datetime


class MaterialRegistered(Payload):
    """A material held by its producing office. `secret`: name, size and content type stay with the holder."""

    material_id: str
    record_id: str  # the referral, assistance request or joint case it belongs to
    holder_region: str
    classification: Classification
    sha256: str = Field(pattern=SHA256)
    name: str | None
    size: int | None
    content_type: str | None
    registered_at: datetime


class ReceiptIssued(Payload):
    """One signed step of a delivery: the receipt as signed (its fields and the signature over them)."""

    receipt_id: str
    record_id: str
    record_kind: str  # referral, assistance, material
    kind: ReceiptKind
    sender_region: str
    recipient_region: str
    region: str  # where it happened, and who signed it
    at: str  # ISO 8601, exactly as signed
    actor: str | None  # retrieved: the person who opened it
    content_sha256: str = Field(pattern=SHA256)  # what was sent, as the sender stated it
    previous_sha256: str | None  # the receipt before it in this recipient's chain
    key_id: str
    signature: str


class ReceiptOverdue(Payload):
    record_id: str
    recipient_region: str
    missing: ReceiptKind
    due_at: datetime
    detected_at: datetime


REFERRAL_SENT = declare(Domain.PROCURATORATE, "referral-sent", ReferralSent)
REFERRAL_DECIDED = declare(Domain.PROCURATORATE, "referral-decided", ReferralDecided)
REFERRAL_OVERDUE = declare(Domain.PROCURATORATE, "referral-overdue", ReferralOverdue)
ASSISTANCE_REQUESTED = declare(Domain.PROCURATORATE, "assistance-requested", AssistanceRequested)
ASSISTANCE_ASSIGNED = declare(Domain.PROCURATORATE, "assistance-assigned", AssistanceAssigned)
ASSISTANCE_ANSWERED = declare(Domain.PROCURATORATE, "assistance-answered", AssistanceAnswered)
ASSISTANCE_OVERDUE = declare(Domain.PROCURATORATE, "assistance-overdue", AssistanceOverdue)
JOINT_CASE_OPENED = declare(Domain.PROCURATORATE, "joint-case-opened", JointCaseOpened)
FINDING_CONTRIBUTED = declare(Domain.PROCURATORATE, "finding-contributed", FindingContributed)
STEP_DECIDED = declare(Domain.PROCURATORATE, "step-decided", StepDecided)
MATERIAL_REGISTERED = declare(Domain.PROCURATORATE, "material-registered", MaterialRegistered)
RECEIPT_ISSUED = declare(Domain.PROCURATORATE, "receipt-issued", ReceiptIssued)
RECEIPT_OVERDUE = declare(Domain.PROCURATORATE, "receipt-overdue", ReceiptOverdue)
