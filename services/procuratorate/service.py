"""Referrals and assistance requests as units of work: the routes' commands, what a receiving office's
reading earns the sender (receipts), and the sending office's overdue scanners. What the events do to the
read models is in projection.py; joint cases and materials are in joint.py and materials.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.procuratorate import domain, queries, receipts, texts
from services.procuratorate import store as db
from services.procuratorate.config import Config
from services.procuratorate.models import Answer, Assign, DecideReferral
from services.procuratorate.ownership import ASSISTANCE, ASSISTANCE_WORK, REFERRAL, REFERRAL_DECISION
from shared.contracts import procuratorate as ev
from shared.contracts.commands import ReferClue, RequestAssistance
from shared.contracts.ids import new_id
from shared.contracts.problems import Denied, conflict, invalid
from shared.contracts.procuratorate import ReceiptKind
from shared.contracts.regions import zone_date
from shared.core.uow import UnitOfWork, now


def refer(uow: UnitOfWork, config: Config, body: ReferClue) -> dict[str, Any]:
    at, referral_id = now(), new_id()
    uow.access.authorize_write("procuratorate.refer", record_id=referral_id)
    if body.to_region == uow.region:
        raise invalid("to_region", "a clue is referred to another region's procuratorate")
    data = ev.ReferralSent(
        referral_id=referral_id,
        to_region=body.to_region.value,
        title_sha256=texts.hold(uow, referral_id, "title", body.title),
        summary_sha256=texts.hold(uow, referral_id, "summary", body.summary),
        offence=body.offence,
        referred_at=at,
        due_at=domain.due(at, config.referral_decision_seconds),
    )
    uow.emit(ev.REFERRAL_SENT, referral_id, data)
    submit(uow, config, queries.referral_evidence(queries.load_referral(uow, referral_id)), [data.to_region])
    return queries.referral_view(uow, referral_id)


def submit(uow: UnitOfWork, config: Config, record: dict[str, Any], recipients: list[str]) -> None:
    """The sender's instance accepted it: a submitted receipt for each recipient's chain."""
    for recipient in recipients:
        receipts.issue(uow, config.signer, record, ReceiptKind.SUBMITTED, recipient)


def open_referral(uow: UnitOfWork, config: Config, referral_id: str) -> dict[str, Any]:
    """A referral as its reader sees it; the receiving office reading it is delivery, by a named person."""
    referral = queries.load_referral(uow, referral_id)
    uow.access.authorize_read("procuratorate.read", REFERRAL, referral)
    if referral["to_region"] == uow.region.value == uow.access.acting_region:
        receipts.shown(uow, config.signer, queries.referral_evidence(referral), opened_by=uow.actor)
    return queries.referral_view(uow, referral_id)


def decide_referral(uow: UnitOfWork, referral_id: str, body: DecideReferral) -> dict[str, Any]:
    referral = queries.load_referral(uow, referral_id)
    uow.access.authorize_write("procuratorate.decide_referral", REFERRAL_DECISION, referral)
    if referral["status"] != "referred":
        raise conflict(f"the referral is already {referral['status']}", referral["status"])
    at, number = now(), None
    if body.outcome == "accepted":
        year = zone_date(at).year  # office years are Beijing time
        number = domain.case_number(year, uow.region, db.next_case_sequence(uow.conn, year))
    data = ev.ReferralDecided(
        referral_id=referral_id,
        outcome=body.outcome,
        case_number=number,
        reasons_sha256=None if body.reasons is None else texts.hold(uow, referral_id, "reasons", body.reasons),
        decided_at=at,
    )
    uow.emit(ev.REFERRAL_DECIDED, referral_id, data)
    return queries.referral_view(uow, referral_id)


def request_assistance(uow: UnitOfWork, config: Config, body: RequestAssistance) -> dict[str, Any]:
    at, request_id = now(), new_id()
    uow.access.authorize_write("procuratorate.request_assistance", record_id=request_id)
    if body.asked_region == uow.region:
        raise invalid("asked_region", "assistance is asked of another region's procuratorate")
    if body.due_at <= at:
        raise invalid("due_at", "the deadline must be in the future")
    data = ev.AssistanceRequested(
        request_id=request_id,
        asked_region=body.asked_region.value,
        kind=body.kind,
        subject_sha256=texts.hold(uow, request_id, "subject", body.subject),
        requested_at=at,
        due_at=body.due_at,
    )
    uow.emit(ev.ASSISTANCE_REQUESTED, request_id, data)
    request = queries.load_assistance(uow, request_id)
    submit(uow, config, queries.assistance_evidence(request), [data.asked_region])
    return queries.assistance_view(uow, request_id)


def open_assistance(uow: UnitOfWork, config: Config, request_id: str) -> dict[str, Any]:
    request = queries.load_assistance(uow, request_id)
    uow.access.authorize_read("procuratorate.read", ASSISTANCE, request)
    if request["asked_region"] == uow.region.value == uow.access.acting_region:
        receipts.shown(uow, config.signer, queries.assistance_evidence(request), opened_by=uow.actor)
    return queries.assistance_view(uow, request_id)


def assign(uow: UnitOfWork, request_id: str, body: Assign) -> dict[str, Any]:
    request = queries.load_assistance(uow, request_id)
    uow.access.authorize_write("procuratorate.assign_assistance", ASSISTANCE_WORK, request)
    if request["status"] == "answered":
        raise conflict("the request is already answered", "answered")
    data = ev.AssistanceAssigned(request_id=request_id, assignee=body.assignee, assigned_at=now())
    uow.emit(ev.ASSISTANCE_ASSIGNED, request_id, data)
    return queries.assistance_view(uow, request_id)


def answer(uow: UnitOfWork, request_id: str, body: Answer) -> dict[str, Any]:
    request = queries.load_assistance(uow, request_id)
    uow.access.authorize_write("procuratorate.answer_assistance", ASSISTANCE_WORK, request)
    if request["status"] != "assigned":
        raise conflict(f"only an assigned request is answered (it is {request['status']})", request["status"])
    if request["assignee"] != uow.actor:  # a refusal by the policy's rule of this act: audited as one
        owner = request["asked_region"]
        raise Denied("procuratorate.answer_assistance", "the request is answered by its assignee", request_id, owner)
    queries.check_materials(uow, request_id, body.material_ids)
    data = ev.AssistanceAnswered(
        request_id=request_id,
        results_sha256=texts.hold(uow, request_id, "results", body.results),
        material_ids=body.material_ids,
        answered_at=now(),
    )
    uow.emit(ev.ASSISTANCE_ANSWERED, request_id, data)
    return queries.assistance_view(uow, request_id)


def scan_overdue(config: Config):
    """The sending office: each referral undecided and each request unanswered past its deadline is
    flagged once; each delivery that lacks a receipt past the receipt deadline, once per missing step."""

    def scan(uow: UnitOfWork) -> None:
        at, here = now(), uow.region.value
        for row in db.pending_referrals(uow.conn, here, at):
            due = datetime.fromisoformat(row["due_at"])
            uow.emit(
                ev.REFERRAL_OVERDUE, row["id"], ev.ReferralOverdue(referral_id=row["id"], due_at=due, detected_at=at)
            )
        for row in db.open_assistance(uow.conn, here, at):
            due = datetime.fromisoformat(row["due_at"])
            data = ev.AssistanceOverdue(request_id=row["id"], due_at=due, detected_at=at)
            uow.emit(ev.ASSISTANCE_OVERDUE, row["id"], data)
        _scan_receipts(uow, config, at)

    return scan


def _scan_receipts(uow: UnitOfWork, config: Config, at: datetime) -> None:
    before = domain.due(at, -config.receipt_seconds)
    for row in db.submitted_unflagged(uow.conn, uow.region.value, before):
        record_id, recipient = row["record_id"], row["recipient_region"]
        have = [ReceiptKind(r["kind"]) for r in db.chain(uow.conn, record_id, recipient)]
        submitted_at = datetime.fromisoformat(row["at"])
        missing = domain.missing_past(have, submitted_at, at, config.receipt_seconds)
        if missing is None:
            db.close_submission(uow.conn, record_id, recipient)
        elif db.flag_receipt(uow.conn, record_id, recipient, missing.value, uow.region.value):
            due = domain.due(submitted_at, config.receipt_seconds)
            data = ev.ReceiptOverdue(
                record_id=record_id, recipient_region=recipient, missing=missing, due_at=due, detected_at=at
            )
            uow.emit(ev.RECEIPT_OVERDUE, record_id, data)
