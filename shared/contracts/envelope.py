"""CloudEvents 1.0 Kafka protocol binding, binary content mode: an Event ⇄ a Kafka record.

Attributes travel as `ce_*` headers (id, source, type, specversion, time, subject, plus the extensions
`ce_region`, `ce_correlationid`, `ce_causationid`, and `ce_actor` / `ce_agency`: the token subject and agency
of whoever acted, absent for what a region's own machinery decided); the payload is the JSON value; the key is the
subject (the record id), so one record's events stay in order on one partition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
from cloudevents.v1 import exceptions as ce_errors
from cloudevents.v1.http import CloudEvent
from cloudevents.v1.kafka import KafkaMessage, from_binary, to_binary
from pydantic import ValidationError

from shared.contracts import EventType, UnknownEventType, UnknownEventVersion, lookup
from shared.contracts.base import Payload
from shared.contracts.ids import new_id
from shared.contracts.regions import Region

CONTENT_TYPE = "application/json"


# The producing region's Ed25519 signature over the ce_* headers and the value's digest (or over the root
# of the batch the event was signed in, with the event's inclusion path), and its key's id
# (shared/adapters/signing.py signs and verifies).
SIGNATURE_HEADER, SIGNATURE_KEY_HEADER = "ce_signature", "ce_signaturekid"
SIGNATURE_PATH_HEADER = "ce_signaturepath"


class DeadLetterReason(StrEnum):
    """Why a record went to a dead-letter topic (its `dlq_reason` header)."""

    BAD_JSON = "bad-json"
    BAD_ENVELOPE = "bad-envelope"
    UNKNOWN_TYPE = "unknown-type"
    UNKNOWN_VERSION = "unknown-version"
    SCHEMA_INVALID = "schema-invalid"
    HANDLER_FAILED = "handler-failed"
    BAD_SIGNATURE = "bad-signature"  # unsigned, or altered since it was signed
    UNTRUSTED_SIGNER = "untrusted-signer"  # a key the trust list does not hold, or outside its validity
    MISATTRIBUTED = "misattributed"  # signed by another region than the topic's or the one it names


class PoisonMessage(Exception):
    """A record no handler can ever process; it goes to the dead-letter topic with this reason."""

    def __init__(self, reason: DeadLetterReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Event:
    type: EventType[Any]
    data: Payload
    subject: str
    region: Region
    source: str
    id: str = field(default_factory=new_id)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str = field(default_factory=new_id)
    causation_id: str | None = None
    actor: str | None = None  # the acting officer's or system's identifier (token subject), never a name
    agency: str | None = None  # the acting principal's agency, so agency systems see their agency's records


@dataclass(frozen=True)
class Record:
    """What goes on the wire: kafka-python's (key, value, headers) triple."""

    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def encode(event: Event) -> Record:
    attributes = {
        "id": event.id,
        "source": event.source,
        "type": event.type.type,
        "specversion": "1.0",
        "time": event.time.isoformat(),
        "subject": event.subject,
        "datacontenttype": CONTENT_TYPE,
        "region": event.region.value,
        "correlationid": event.correlation_id,
    }
    for name, value in (("causationid", event.causation_id), ("actor", event.actor), ("agency", event.agency)):
        if value:
            attributes[name] = value
    cloud_event = CloudEvent(attributes, event.data.model_dump(mode="json"))
    message = to_binary(cloud_event, data_marshaller=orjson.dumps, key_mapper=lambda e: e["subject"])
    key = message.key.encode() if isinstance(message.key, str) else message.key
    return Record(key or b"", bytes(message.value), list(message.headers.items()))


_REQUIRED = ("ce_id", "ce_source", "ce_type", "ce_specversion", "ce_subject", "ce_region")


def decode(key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]) -> Event:
    """Validate a record fully, or raise PoisonMessage saying exactly why not."""
    header_map = {name: raw for name, raw in headers or []}
    missing = [name for name in _REQUIRED if name not in header_map]
    if missing:
        raise PoisonMessage(DeadLetterReason.BAD_ENVELOPE, f"missing CloudEvents headers: {', '.join(missing)}")
    if header_map["ce_specversion"] != b"1.0":
        raise PoisonMessage(DeadLetterReason.BAD_ENVELOPE, "unsupported specversion")
    type_string = header_map["ce_type"].decode(errors="replace")
    try:
        event_type = lookup(type_string)
    except UnknownEventVersion:
        raise PoisonMessage(DeadLetterReason.UNKNOWN_VERSION, f"no declared version {type_string}") from None
    except UnknownEventType:
        raise PoisonMessage(DeadLetterReason.UNKNOWN_TYPE, f"undeclared event type {type_string}") from None
    try:
        cloud_event = from_binary(KafkaMessage(header_map, key, value or b""), data_unmarshaller=orjson.loads)
    except ce_errors.DataUnmarshallerError as error:
        raise PoisonMessage(DeadLetterReason.BAD_JSON, str(error)[:300]) from None
    except (ce_errors.GenericException, UnicodeDecodeError, ValueError) as error:
        raise PoisonMessage(DeadLetterReason.BAD_ENVELOPE, str(error)[:300]) from None
    try:
        data = event_type.model.model_validate(cloud_event.get_data())
    except ValidationError as error:
        # Field locations and error kinds only: the rejected values may be personal data.
        where = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['type']}" for e in error.errors())
        raise PoisonMessage(DeadLetterReason.SCHEMA_INVALID, where[:500]) from None
    try:
        region = Region(cloud_event["region"])
        time = datetime.fromisoformat(cloud_event["time"]) if cloud_event.get("time") else datetime.now(UTC)
    except ValueError as error:
        raise PoisonMessage(DeadLetterReason.BAD_ENVELOPE, str(error)[:300]) from None
    return Event(
        type=event_type,
        data=data,
        subject=cloud_event["subject"],
        region=region,
        source=cloud_event["source"],
        id=cloud_event["id"],
        time=time,
        correlation_id=cloud_event.get("correlationid") or cloud_event["id"],
        causation_id=cloud_event.get("causationid"),
        actor=cloud_event.get("actor"),
        agency=cloud_event.get("agency"),
    )
