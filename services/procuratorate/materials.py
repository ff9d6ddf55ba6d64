"""Materials held by the office that produced them: registered with their description (never their
content) on the topic, read point to point from the holder with a purpose, and each delivery evidenced
by receipts; the sender's export of a record's evidence."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from services.procuratorate import domain, evidence, queries, receipts
from services.procuratorate import store as db
from services.procuratorate.config import Config
from services.procuratorate.models import RegisterMaterial
from services.procuratorate.ownership import MATERIAL, PARENT
from shared.contracts import procuratorate as ev
from shared.contracts.ids import new_id
from shared.contracts.problems import Denied, not_found
from shared.core.uow import UnitOfWork, now
from shared.rules.policy import DataClass


def register(uow: UnitOfWork, config: Config, body: RegisterMaterial) -> dict[str, Any]:
    """Kept here, with this office; the record's other parties are told of it and may fetch it."""
    material_id, here = new_id(), uow.region.value
    parent = queries.parent_of(uow, body.record_id)  # registered by a party to it, at its own instance
    uow.access.authorize_write("procuratorate.register_material", PARENT, parent)
    content = body.content
    data = ev.MaterialRegistered(
        material_id=material_id,
        record_id=body.record_id,
        holder_region=here,
        classification=body.classification,
        sha256=hashlib.sha256(content).hexdigest(),
        registered_at=now(),
        **domain.described(body.classification, body.name, len(content), body.content_type),
    )
    uow.emit(ev.MATERIAL_REGISTERED, material_id, data)
    db.add_material_content(uow.conn, material_id, body.name, body.content_type, content)
    material = queries.load_material(uow, material_id)
    recipients = [region for region in db.parties(uow.conn, body.record_id) if region != here]
    for recipient in recipients:
        receipts.issue(uow, config.signer, queries.material_evidence(material), ev.ReceiptKind.SUBMITTED, recipient)
    return queries.material_view(uow, material_id)


def open_material(uow: UnitOfWork, config: Config, material_id: str) -> dict[str, Any]:
    """A material's description; the receiving office reading it is its delivery."""
    material = queries.load_material(uow, material_id)
    uow.access.authorize_read("procuratorate.read", MATERIAL, material)
    if uow.access.acting_region == uow.region.value:
        receipts.shown(uow, config.signer, queries.material_evidence(material))
    return queries.material_view(uow, material_id)


def read_content(uow: UnitOfWork, material_id: str) -> dict[str, Any] | None:
    """The content, at the holder only (purpose `prosecution`, audited there). None: ask the holder."""
    material = queries.load_material(uow, material_id)

    def held() -> dict[str, Any]:
        content = db.material_content(uow.conn, material_id)
        if content is None:
            raise not_found("material content")
        return {
            "material_id": material_id,
            "holder_region": material["holder_region"],
            "name": content["name"],
            "content_type": content["content_type"],
            "sha256": material["sha256"],
            "content_base64": base64.b64encode(content["content"]).decode(),
        }

    action, data_class = "procuratorate.read_material", DataClass.PROSECUTION_MATERIAL
    return uow.access.read_held(action, data_class, MATERIAL, material, held)


def holder_of(uow: UnitOfWork, material_id: str) -> str:
    return MATERIAL.owner(queries.load_material(uow, material_id))


def opened(uow: UnitOfWork, config: Config, material_id: str) -> dict[str, Any]:
    """A person of this region opened a material another region holds: delivered (if not yet) and
    retrieved, signed here, where it was opened."""
    material = queries.load_material(uow, material_id)
    receipts.shown(uow, config.signer, queries.material_evidence(material), opened_by=uow.actor)
    return {}


def export(uow: UnitOfWork, config: Config, record_id: str) -> dict[str, Any]:
    """The record's delivery evidence as one document signed by this, the sending, region."""
    record, chain = queries.evidence_of(uow, record_id)
    if record["sender_region"] != uow.region.value:
        raise Denied("procuratorate.export_evidence", "evidence is exported by the sender's instance", record_id)
    return evidence.export(config.signer, record, chain, now().isoformat())
