"""What the procuratorate routes answer (response models; the routes send stored JSON as it is)."""

from __future__ import annotations

from datetime import datetime

from shared.contracts.procuratorate import AssistanceKind, Classification, Offence, ReceiptKind, Step
from shared.contracts.views import Page, TimelineEntry, View


class Receipt(View):
    """One signed step of a delivery, as its region signed it."""

    receipt_id: str
    record_id: str
    record_kind: str
    kind: ReceiptKind
    sender_region: str
    recipient_region: str
    region: str
    at: str
    actor: str | None
    content_sha256: str
    previous_sha256: str | None
    key_id: str
    signature: str


class Text(View):
    """A text of the record, held by the region that wrote it. `text` is shown when this reader asked with
    purpose `prosecution` and the holder allowed it (and it matches `sha256`); otherwise null: it exists."""

    part: str  # title, summary, reasons, subject, results, finding:{id}, step:{id}
    holder_region: str
    sha256: str
    text: str | None


class HeldText(View):
    part: str
    sha256: str
    text: str


class HeldTexts(View):
    """The texts a region wrote for a record, from that region (purpose `prosecution`; audited there)."""

    record_id: str
    holder_region: str
    texts: list[HeldText]


class Referral(View):
    id: str
    from_region: str
    to_region: str
    title_sha256: str
    summary_sha256: str
    offence: Offence
    referred_at: datetime
    due_at: datetime
    content_sha256: str
    status: str  # referred, accepted, declined
    case_number: str | None  # the receiver's own, once accepted
    reasons_sha256: str | None
    decided_at: datetime | None
    overdue_flagged: bool


class ReferralView(Referral):
    texts: list[Text]
    receipts: list[Receipt]
    timeline: list[TimelineEntry]


class Assistance(View):
    id: str
    requesting_region: str
    asked_region: str
    kind: AssistanceKind
    subject_sha256: str
    requested_at: datetime
    due_at: datetime
    content_sha256: str
    status: str  # requested, assigned, answered
    assignee: str | None
    assigned_at: datetime | None
    results_sha256: str | None
    material_ids: list[str]
    answered_at: datetime | None
    overdue_flagged: bool


class AssistanceView(Assistance):
    texts: list[Text]
    receipts: list[Receipt]
    timeline: list[TimelineEntry]


class Finding(View):
    id: str
    case_id: str
    region: str
    summary_sha256: str
    material_ids: list[str]
    contributed_at: datetime


class JointCase(View):
    id: str
    lead_region: str
    title: str
    matter: str
    participants: list[str]
    opened_at: datetime
    status: str  # open, or closed once the lead closes it
    step: Step | None
    step_at: datetime | None


class StepTaken(View):
    id: str
    case_id: str
    step: Step
    note_sha256: str
    decided_at: datetime


class JointCaseView(JointCase):
    findings: list[Finding]
    steps: list[StepTaken]
    texts: list[Text]
    timeline: list[TimelineEntry]


class Material(View):
    """A material as the zone knows it: a `secret` one by its hash and holder alone."""

    id: str
    record_id: str
    holder_region: str
    classification: Classification
    sha256: str
    name: str | None
    size: int | None
    content_type: str | None
    registered_at: datetime


class MaterialView(Material):
    receipts: list[Receipt]


class MaterialContent(View):
    """A material's content, from its holder (purpose `prosecution`; authorised and audited there)."""

    material_id: str
    holder_region: str
    name: str
    content_type: str
    sha256: str
    content_base64: str


class EvidenceRecord(View):
    record_kind: str
    record_id: str
    sender_region: str
    content_sha256: str


class Evidence(View):
    """A record's delivery evidence as one signed document (`yrd evidence verify FILE` checks it offline)."""

    format: str
    record: EvidenceRecord
    receipts: list[Receipt]
    exported_at: str
    exported_by: str
    key_id: str
    signature: str


ReferralPage = Page[Referral]
AssistancePage = Page[Assistance]
JointCasePage = Page[JointCase]
MaterialPage = Page[Material]
