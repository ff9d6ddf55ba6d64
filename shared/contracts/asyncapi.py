"""The AsyncAPI 3.0 document of the zone's event plane, generated from the declarations: every event type
(contracts.REGISTRY) with its payload's JSON Schema, the topics they travel on (contracts.topics), and the
CloudEvents headers they carry (contracts.envelope). Nothing here is written by hand, so the document
cannot drift from the code: `yrd schemas` writes it to docs/asyncapi.yaml and every instance serves its
service's part at /asyncapi.json."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic.json_schema import models_json_schema

from shared.contracts.base import REGISTRY, EventType
from shared.contracts.commands import COMMANDS, RESULTS, CommandType
from shared.contracts.envelope import SIGNATURE_HEADER, SIGNATURE_KEY_HEADER, SIGNATURE_PATH_HEADER, DeadLetterReason
from shared.contracts.regions import Domain, Region
from shared.contracts.topics import COMMANDS_SUFFIX, DLQ_SUFFIX, RESULTS_SUFFIX

VERSION = "1"
_REF = "#/components/schemas/{model}"
_REGION = {
    "description": "the region whose topic it is: only that region's instances write it, every region reads it",
    "enum": [r.value for r in Region],
}

_CLOUDEVENT_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes as ce_* headers.",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "ce_region",
        SIGNATURE_HEADER,
        SIGNATURE_KEY_HEADER,
    ],
    "properties": {
        "ce_specversion": {"const": "1.0"},
        "ce_id": {"type": "string", "description": "the event's id (consumers apply each id once)"},
        "ce_source": {"type": "string", "description": "/yrd/{region}/{service}"},
        "ce_type": {"type": "string", "description": "cn.yrd.{domain}.{name}.v{version}"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "the record's id; also the record key"},
        "ce_region": {"enum": [r.value for r in Region], "description": "the producing region"},
        "ce_correlationid": {"type": "string", "description": "the request that started it all"},
        "ce_causationid": {"type": "string", "description": "the event or command this one answers"},
        "ce_actor": {"type": "string", "description": "who acted (token subject), absent for the system"},
        "ce_agency": {"type": "string", "description": "the acting principal's agency"},
        SIGNATURE_HEADER: {
            "type": "string",
            "description": "base64url Ed25519 signature of the producing region over the root of an RFC 9162 "
            "Merkle tree (SHA-256) whose leaves are the signed forms of a batch of up to 64 events: each the "
            "ce_* headers (sorted, name=value lines) and the value's SHA-256; consumers refuse a record "
            "without a valid one",
        },
        SIGNATURE_KEY_HEADER: {"type": "string", "description": "the signing key's id in the zone's trust list"},
        SIGNATURE_PATH_HEADER: {
            "type": "string",
            "pattern": "^[0-9]+/[0-9]+:[A-Za-z0-9_=-]*$",
            "description": "{index}/{batch size}:{the event's inclusion path, base64url}: leads from the "
            "event's leaf to the signed root (absent on events signed one by one by earlier versions, whose "
            "signature covers the event itself)",
        },
        "content-type": {"const": "application/json"},
    },
}
_DEAD_LETTER_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "The original record's headers and value, plus why and where it failed.",
    "required": ["dlq_reason", "dlq_detail", "dlq_topic", "dlq_partition", "dlq_offset", "dlq_consumer", "dlq_time"],
    "properties": {
        "dlq_reason": {"enum": [reason.value for reason in DeadLetterReason]},
        "dlq_detail": {"type": "string", "description": "field paths and error kinds, never values"},
        "dlq_topic": {"type": "string"},
        "dlq_partition": {"type": "string"},
        "dlq_offset": {"type": "string"},
        "dlq_consumer": {"type": "string", "description": "the consumer group that gave up on it"},
        "dlq_time": {"type": "string", "format": "date-time"},
    },
}
_COMMAND_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 binary mode, and the sending agency system's bearer token.",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "authorization"],
    "properties": {
        "ce_specversion": {"const": "1.0"},
        "ce_id": {"type": "string", "description": "the command's id, also its idempotency key"},
        "ce_source": {"type": "string", "description": "the sending system"},
        "ce_type": {"type": "string", "description": "a command type, cn.yrd.{domain}.{name}.v{version}"},
        "ce_correlationid": {"type": "string"},
        "authorization": {"type": "string", "description": "Bearer <token>: as for the HTTP API"},
        "content-type": {"const": "application/json"},
    },
}
_KEY = {"kafka": {"key": {"type": "string", "description": "the record's id"}, "bindingVersion": "0.5.0"}}


def _message(declared: EventType[Any] | CommandType[Any], schema_name: str, headers: str) -> dict[str, Any]:
    """An event, result or command as a message: its type, the first line of its model's doc, its headers
    and payload schema (and, for what regions publish, the Kafka key)."""
    doc = (declared.model.__doc__ or "").strip()
    message = {
        "name": declared.type,
        "title": f"{declared.domain.value} {declared.name} v{declared.version}",
        "summary": doc.splitlines()[0] if doc else declared.name,
        "contentType": "application/json",
        "headers": {"$ref": f"#/components/schemas/{headers}"},
        "payload": {"$ref": _REF.format(model=schema_name)},
    }
    return message if headers == "CommandHeaders" else {**message, "bindings": _KEY}


def _payload_schemas(types: list[Any]) -> tuple[dict[type, str], dict[str, Any]]:
    models = list(dict.fromkeys(t.model for t in types))
    refs, definitions = models_json_schema([(m, "serialization") for m in models], ref_template=_REF)
    names = {model: refs[(model, "serialization")]["$ref"].rsplit("/", 1)[1] for model in models}
    return names, _asyncapi_schema(definitions.get("$defs", {}))


def _asyncapi_schema(node: Any) -> Any:
    """Pydantic writes OpenAPI's discriminator object; an AsyncAPI schema names just the property."""
    if isinstance(node, dict):
        fixed = {k: _asyncapi_schema(v) for k, v in node.items()}
        if isinstance(fixed.get("discriminator"), dict):
            fixed["discriminator"] = fixed["discriminator"]["propertyName"]
        return fixed
    if isinstance(node, list):
        return [_asyncapi_schema(v) for v in node]
    return node


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/{kind}/{name}"}


_SERVERS = {
    "local": {
        "host": "127.0.0.1:9092",
        "protocol": "kafka",
        "description": "`make run`'s broker; in the three-cluster zone each region reads its own cluster",
        "security": [{"$ref": "#/components/securitySchemes/scram"}],
    }
}
_SECURITY_SCHEMES = {
    "scram": {
        "type": "scramSha512",
        "description": (
            "Every client authenticates (SASL/SCRAM-SHA-512) as its principal and may only what its ACLs grant: "
            "an agency system `{region}-agency` writes `{region}.{domain}.commands` and reads "
            "`{region}.{domain}.results`; a region's instance `{region}-{service}` writes its own region's topics "
            "of its service."
        ),
    }
}


def document(domains: list[Domain] | None = None) -> dict[str, Any]:
    """The event plane of `domains` (all of them by default) as an AsyncAPI 3.0 document."""
    wanted = domains or list(Domain)
    types = [t for _, t in sorted(REGISTRY.items()) if t.domain in wanted]
    orders = [c for _, c in sorted(COMMANDS.items()) if c.domain in wanted]
    answers = [RESULTS[d] for d in wanted if d in RESULTS]
    names, schemas = _payload_schemas([*types, *orders, *answers])
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for domain in wanted:
        _event_channels(domain, [t for t in types if t.domain is domain], channels, operations)
        if domain in RESULTS:
            _command_channels(domain, orders, RESULTS[domain], channels, operations)
    return _fresh(
        {
            "asyncapi": "3.0.0",
            "info": {
                "title": "YRD Legal Link event plane",
                "version": VERSION,
                "description": (
                    "Events of the Yangtze River Delta demonstration zone's legal-cooperation services. Each region "
                    "writes only its own topics `{region}.{domain}` and reads every region's; events carry only "
                    "what may be shared (sensitive detail is read point to point from the owning region)."
                ),
            },
            "defaultContentType": "application/json",
            "servers": _SERVERS,
            "channels": channels,
            "operations": operations,
            "components": {
                "securitySchemes": _SECURITY_SCHEMES,
                "messages": {
                    **{t.type: _message(t, names[t.model], "CloudEventHeaders") for t in [*types, *answers]},
                    **{c.type: _message(c, names[c.model], "CommandHeaders") for c in orders},
                    "deadLetter": {
                        "name": "deadLetter",
                        "title": "dead letter",
                        "summary": "The original record, unchanged, with dlq_* headers saying why.",
                        "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
                        "payload": {},
                    },
                },
                "schemas": {
                    "CloudEventHeaders": _CLOUDEVENT_HEADERS,
                    "CommandHeaders": _COMMAND_HEADERS,
                    "DeadLetterHeaders": _DEAD_LETTER_HEADERS,
                    **schemas,
                },
            },
        }
    )


def _event_channels(domain: Domain, own: list[EventType[Any]], channels: dict, operations: dict) -> None:
    """A domain's events: `{region}.{domain}` (published by the owner, consumed by all) and its dead letters."""
    messages = {t.type: _ref("components/messages", t.type) for t in own}
    channel, dead = domain.value, f"{domain.value}DeadLetters"
    channels[channel] = {
        "address": f"{{region}}.{domain.value}",
        "title": f"{domain.value} events",
        "description": f"The {domain.value} events of one region's records, in order per record (key = id).",
        "parameters": {"region": _REGION},
        "messages": messages,
    }
    channels[dead] = {
        "address": f"{{region}}.{domain.value}{DLQ_SUFFIX}",
        "title": f"{domain.value} dead letters",
        "description": "Records a region's consumer could never process, kept a month for inspection and replay.",
        "parameters": {"region": _REGION},
        "messages": {"deadLetter": _ref("components/messages", "deadLetter")},
    }
    on = _ref("channels", channel)
    operations[f"publish{domain.value.title()}"] = {
        "action": "send",
        "channel": on,
        "summary": f"Each region publishes its own records' {domain.value} events on its own topic.",
        "messages": [_ref(f"channels/{channel}/messages", t.type) for t in own],
    }
    operations[f"consume{domain.value.title()}"] = {
        "action": "receive",
        "channel": on,
        "summary": f"Every region applies every region's {domain.value} events, each event once.",
        "messages": [_ref(f"channels/{channel}/messages", t.type) for t in own],
    }
    operations[f"deadLetter{domain.value.title()}"] = {
        "action": "send",
        "channel": _ref("channels", dead),
        "summary": "A consuming region parks a record it cannot process, with the reason.",
        "messages": [_ref(f"channels/{dead}/messages", "deadLetter")],
    }


def _command_channels(
    domain: Domain, orders: list[CommandType[Any]], answer: EventType[Any], channels: dict, operations: dict
) -> None:
    """An agency system's way in on Kafka: its region's commands topic, and the results of its commands."""
    own = [c for c in orders if c.domain is domain]
    name, capital = domain.value, domain.value.title()
    channels[f"{name}Commands"] = {
        "address": f"{{region}}.{name}{COMMANDS_SUFFIX}",
        "title": f"{name} commands",
        "description": "Agency systems' commands to the region's instance (read by that region only).",
        "parameters": {"region": _REGION},
        "messages": {c.type: _ref("components/messages", c.type) for c in own},
    }
    channels[f"{name}CommandDeadLetters"] = {
        "address": f"{{region}}.{name}{COMMANDS_SUFFIX}{DLQ_SUFFIX}",
        "title": f"{name} commands that were no commands",
        "description": "Malformed command records (headers, JSON, type), without their bearer token.",
        "parameters": {"region": _REGION},
        "messages": {"deadLetter": _ref("components/messages", "deadLetter")},
    }
    channels[f"{name}Results"] = {
        "address": f"{{region}}.{name}{RESULTS_SUFFIX}",
        "title": f"{name} command results",
        "description": "What became of each command: ce_causationid is the command's ce_id.",
        "parameters": {"region": _REGION},
        "messages": {answer.type: _ref("components/messages", answer.type)},
    }
    operations[f"take{capital}Commands"] = {
        "action": "receive",
        "channel": _ref("channels", f"{name}Commands"),
        "summary": "Validated, authorised, audited and applied like the HTTP call; ce_id is the idempotency key.",
        "messages": [_ref(f"channels/{name}Commands/messages", c.type) for c in own],
        "reply": {
            "channel": _ref("channels", f"{name}Results"),
            "messages": [_ref(f"channels/{name}Results/messages", answer.type)],
        },
    }
    operations[f"deadLetter{capital}Commands"] = {
        "action": "send",
        "channel": _ref("channels", f"{name}CommandDeadLetters"),
        "summary": "A record that is no command is parked with the reason (and answered if it has a ce_id).",
        "messages": [_ref(f"channels/{name}CommandDeadLetters/messages", "deadLetter")],
    }


def _fresh(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy sharing no objects (the region parameter and header schemas are reused above), so a YAML dump
    has no anchors and a caller may change its copy."""
    return orjson.loads(orjson.dumps(doc))
