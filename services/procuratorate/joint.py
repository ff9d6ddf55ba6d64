"""Joint public-interest cases (跨区域公益诉讼协作): opened by the lead region, findings contributed by
every participant on its own topic, procedural steps decided by the lead alone. A finding's summary and
a step's note stay with the region that wrote them (texts.py)."""

from __future__ import annotations

from typing import Any

from services.procuratorate import queries, texts
from services.procuratorate.models import Contribute, DecideStep
from services.procuratorate.ownership import JOINT_CASE
from shared.contracts import procuratorate as ev
from shared.contracts.commands import OpenJointCase
from shared.contracts.ids import new_id
from shared.contracts.problems import conflict, invalid
from shared.contracts.procuratorate import Step
from shared.core.uow import UnitOfWork, now


def open_case(uow: UnitOfWork, body: OpenJointCase) -> dict[str, Any]:
    case_id = new_id()
    uow.access.authorize_write("procuratorate.open_joint_case", record_id=case_id)
    participants = sorted({r.value for r in body.participants})
    if uow.region.value in participants:
        raise invalid("participants", "the participants are the other regions; the lead is this one")
    data = ev.JointCaseOpened(
        case_id=case_id, title=body.title, matter=body.matter, participants=participants, opened_at=now()
    )
    uow.emit(ev.JOINT_CASE_OPENED, case_id, data)
    return queries.case_view(uow, case_id)


def contribute(uow: UnitOfWork, case_id: str, body: Contribute) -> dict[str, Any]:
    case = queries.load_case(uow, case_id)
    uow.access.authorize_write("procuratorate.contribute", JOINT_CASE, case)
    if case["step"] == Step.CLOSED:
        raise conflict("the case is closed", case["step"])
    queries.check_materials(uow, case_id, body.material_ids)
    finding_id = new_id()
    data = ev.FindingContributed(
        case_id=case_id,
        finding_id=finding_id,
        summary_sha256=texts.hold(uow, case_id, f"finding:{finding_id}", body.summary),
        material_ids=body.material_ids,
        contributed_at=now(),
    )
    uow.emit(ev.FINDING_CONTRIBUTED, case_id, data)
    return queries.case_view(uow, case_id)


def decide_step(uow: UnitOfWork, case_id: str, body: DecideStep) -> dict[str, Any]:
    case = queries.load_case(uow, case_id)
    uow.access.authorize_write("procuratorate.decide_step", JOINT_CASE, case, involved=False)
    if case["step"] == Step.CLOSED:
        raise conflict("the case is closed", case["step"])
    step_id = new_id()
    note = texts.hold(uow, case_id, f"step:{step_id}", body.note)
    data = ev.StepDecided(case_id=case_id, step_id=step_id, step=body.step, note_sha256=note, decided_at=now())
    uow.emit(ev.STEP_DECIDED, case_id, data)
    return queries.case_view(uow, case_id)
