"""Commands on Kafka: an agency system publishes a command to its region's `{region}.{domain}.commands`
topic and reads what became of it on `{region}.{domain}.results` (contracts/commands.py).

A command record is CloudEvents in binary mode: `ce_specversion` 1.0, `ce_id` (also the idempotency key),
`ce_type` (a declared command type), `ce_source` (the sending system), optionally `ce_correlationid`; the
agency's bearer token in the `authorization` header; the JSON body as the value. It is then validated,
authorised, audited and applied by the same command function as the HTTP route, in the same kind of unit
of work, and its result (the created record's id and status, or the RFC 9457 problem HTTP would give) is
put in the outbox in the same transaction, so a result is published if and only if the command's effects
were kept. A redelivered command (same `ce_id` from the same caller) changes nothing and is answered again
with the first result. A record that is not a command at all (headers, JSON, type) goes to the commands'
dead-letter topic with its reason, and gets a result too when it carries a `ce_id`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from kafka.consumer.fetcher import ConsumerRecord
from pydantic import ValidationError

from shared.adapters import metrics, outbox
from shared.adapters.gate import VerifiedTokens, authenticate
from shared.adapters.kafka.assignment import Offsets, assigned_consumer
from shared.adapters.kafka.dead_letters import DeadLetters
from shared.adapters.schema import processed
from shared.adapters.tokens import Principal
from shared.contracts.commands import COMMANDS, RESULTS, CommandResult
from shared.contracts.envelope import DeadLetterReason, Event
from shared.contracts.problems import Problem, validation_problem
from shared.contracts.topics import commands, dlq, results
from shared.entrypoints.batch import Create
from shared.entrypoints.context import RequestContext
from shared.entrypoints.runtime import Runtime, producer_factory
from shared.entrypoints.web import fields_fingerprint

log = logging.getLogger(__name__)

_RESULT_IDS = uuid.UUID("6f1c8c1e-6b5e-4c59-9a55-2a8d8e0b3f10")  # results' ids derive from their commands'


@dataclass(frozen=True)
class Command:
    id: str
    type: str
    body: Any
    principal: Principal
    correlation_id: str
    fingerprint: str


@dataclass(frozen=True)
class Refused:
    """A record that is no command we can run: dead-lettered (`reason`) when malformed, answered anyway
    when it carries an id."""

    command_id: str | None
    command_type: str
    problem: Problem
    reason: DeadLetterReason | None = None  # the dead-letter reason; None: answered, not dead-lettered (401, 422)


class CommandConsumer:
    def __init__(self, runtime: Runtime, handlers: dict[str, Create]) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.handlers = handlers
        self.topic = commands(settings.region, settings.service, settings.topic_prefix)
        self.results = results(settings.region, settings.service, settings.topic_prefix)
        self.group_id = settings.group_id + ".commands"
        self.tokens = VerifiedTokens(runtime.trust)
        self.dead_letters = DeadLetters(
            dlq(self.topic),
            self.group_id,
            producer_factory(settings),
            settings.metric_labels,
            drop_headers=("authorization",),
        )

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop`; a broker outage restarts the client after a pause. Nothing is lost: offsets
        are committed only after the results are stored, and a repeat is answered from the first time."""
        while not stop.is_set():
            try:
                self._consume(stop)
            except Exception as error:
                log.debug("command consumer failed, restarting", extra={"error": type(error).__name__})
                stop.wait(0.5)

    def _consume(self, stop: threading.Event) -> None:
        settings = self.runtime.settings
        offsets = Offsets(settings.consumer_commit_seconds)
        shared_by = offsets.take if settings.processes > 1 else None
        consumer = assigned_consumer(
            settings.kafka, self.group_id, [self.topic], settings.kafka_timeout_ms, 200, shared_by=shared_by
        )
        try:
            while not stop.is_set():
                batch = consumer.poll(timeout_ms=3000)
                for partition, records in batch.items():
                    if not self.handle(records, stop):
                        break  # stopping while a dead letter waited: this poll's rest comes again
                    offsets.applied(partition, records[-1].offset + 1)
                if offsets.due(quiet=not batch):
                    consumer.commit(offsets.take())
            if offsets.pending:  # stopping: what was answered is committed, as the event consumer does
                consumer.commit(offsets.take())
        finally:
            consumer.close(autocommit=False)
            self.dead_letters.close()

    def handle(self, records: list[ConsumerRecord], stop: threading.Event) -> bool:
        """Run a poll's commands in one transaction (a savepoint each) with their results; dead-letter
        what is malformed. True once every record is dealt with."""
        parsed = [(record, self.parse(record)) for record in records]
        for record, outcome in parsed:
            malformed = isinstance(outcome, Refused) and outcome.reason
            if malformed and not self.dead_letters.put(record, outcome.reason, outcome.problem.detail or "", stop):
                return False
        answered = self.runtime.store.write(lambda conn: [self._answer(conn, outcome) for _, outcome in parsed])
        labels = self.runtime.settings.metric_labels
        for command_type, status in filter(None, answered):  # counted once committed; repeats not again
            known = command_type if command_type in COMMANDS else "unknown"  # a sender's typo is no label value
            metrics.COMMANDS.labels(via="kafka", type=known, status=str(status), **labels).inc()
        return True

    def parse(self, record: ConsumerRecord) -> Command | Refused:
        headers = {name: value.decode(errors="replace") for name, value in record.headers or []}
        command_id, type_string = headers.get("ce_id") or None, headers.get("ce_type", "")
        missing = [h for h in ("ce_specversion", "ce_id", "ce_type", "ce_source") if not headers.get(h)]
        if missing or headers["ce_specversion"] != "1.0":
            detail = f"missing {', '.join(missing)}" if missing else "ce_specversion must be 1.0"
            return Refused(command_id, type_string, _bad("not a CloudEvent", detail), DeadLetterReason.BAD_ENVELOPE)
        command = COMMANDS.get(type_string)
        if command is None or type_string not in self.handlers:
            detail = f"{type_string} is not a command of this service"
            return Refused(command_id, type_string, _bad("Unknown command type", detail), DeadLetterReason.UNKNOWN_TYPE)
        try:
            fields = orjson.loads(record.value or b"")
        except orjson.JSONDecodeError:
            return Refused(
                command_id, type_string, _bad("Malformed body", "the value is not JSON"), DeadLetterReason.BAD_JSON
            )
        try:
            principal = authenticate(headers.get("authorization", ""), self.tokens)
            body = command.model.model_validate(fields)
        except Problem as problem:
            return Refused(command_id, type_string, problem)
        except ValidationError as error:
            return Refused(command_id, type_string, validation_problem(list(error.errors())))
        correlation = headers.get("ce_correlationid") or command_id
        return Command(command_id, type_string, body, principal, correlation, fields_fingerprint(fields))

    def _answer(self, conn: Any, outcome: Command | Refused) -> tuple[str, int] | None:
        """Run a command and store its result; (type, status) when a result was stored, None otherwise."""
        if isinstance(outcome, Refused):
            if not outcome.command_id:
                return None
            problem = outcome.problem.body(self.topic)
            return self._result(conn, outcome.command_id, outcome.command_type, outcome.problem.status, problem, None)
        context = RequestContext(
            runtime=self.runtime,
            principal=outcome.principal,
            correlation_id=outcome.correlation_id,
            purpose=None,
            idempotency_key=outcome.id,
            method="KAFKA",
            path=self.topic,
        )
        scope = f"{outcome.principal.region.value}:{outcome.principal.subject}:KAFKA:{self.topic}"
        create = self.handlers[outcome.type]
        status, payload = context.line(
            conn, lambda uow: create(uow, outcome.body), (scope, outcome.id, outcome.fingerprint)
        )
        return self._result(conn, outcome.id, outcome.type, status, payload, outcome.principal)

    def _result(
        self, conn: Any, command_id: str, command_type: str, status: int, payload: Any, by: Principal | None
    ) -> tuple[str, int] | None:
        result_id = str(uuid.uuid5(_RESULT_IDS, command_id))
        if processed(conn, result_id):
            return None  # answered already (a redelivery): the first result stands and was published
        failed = status >= 400
        data = CommandResult(
            command_id=command_id,
            command_type=command_type,
            status=status,
            id=None if failed else payload.get("id") or payload.get("number"),
            record_status=None if failed else payload.get("status"),
            problem=payload if failed else None,
        )
        settings = self.runtime.settings
        event = Event(
            type=RESULTS[settings.service],
            data=data,
            subject=command_id,
            region=settings.region,
            source=settings.source,
            id=result_id,
            causation_id=command_id,
            correlation_id=command_id,
            actor=by.subject if by else None,
            agency=by.agency if by else None,
        )
        outbox.add(conn, self.results, event)
        return command_type, status


def _bad(title: str, detail: str) -> Problem:
    return Problem(400, "malformed-command", title, detail)


def attach_commands(runtime: Runtime, handlers: dict[str, Create]) -> None:
    """Run a command consumer beside the instance's other workers (started and stopped with them)."""
    runtime.workers.append(("commands", CommandConsumer(runtime, handlers).run))
