"""Commands on Kafka (`pip install yrd-client[kafka]`): an agency system publishes to its region's
`{region}.{service}.commands` topic (CloudEvents, binary mode, its bearer token in a header) and reads
the outcome from `{region}.{service}.results`, correlated by `ce_causationid`. The command id (`ce_id`)
is its idempotency key: sending the same command again creates nothing twice.

    with Commands("127.0.0.1:9092", "jiashan", "filing", token, source="/agency/jiashan-court") as commands:
        outcome = commands.submit("submit", SubmitFiling(...))

An agency's path end to end (docs/identity.md): its token from its region's identity provider by client
credentials (`ClientCredentials`, given as `token`); its own broker principal, named as its client
(`sasl=("jiashan-court-system", password)`, SCRAM-SHA-512); and, to resume after a restart from where it
left off, a consumer group of its own prefix (`group_id="agency.jiashan-court-system.results"`): the offsets
of the results read are committed there, and results that arrived while it was down are read next time.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from pydantic import BaseModel

from yrd_client.contract import COMMAND_TYPES, TOPICS
from yrd_client.operations import dump
from yrd_client.problems import Outcome


class Commands:
    def __init__(
        self,
        bootstrap_servers: str,
        region: str,
        service: str,
        token: str | Callable[[], str],
        *,
        source: str,
        topic_prefix: str = "",
        from_beginning: bool = False,
        sasl: tuple[str, str] | None = None,
        group_id: str | None = None,
    ) -> None:
        """`from_beginning`: results of commands sent before this object existed are read too. `sasl`: the
        agency system's broker principal and password (SCRAM-SHA-512), which may write its region's
        command topics and read their results, nothing else. `group_id`: a consumer group of the agency's
        own (`agency.{agency id}.` and any name), whose committed offsets say where reading resumes."""
        self.types = COMMAND_TYPES[service]
        commands_topic, results_topic = (topic_prefix + name for name in TOPICS[f"{region}/{service}"])
        self.topic, self.token, self.source = commands_topic, token, source
        connection: dict[str, Any] = {"bootstrap_servers": bootstrap_servers}
        if sasl is not None:
            connection |= {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512"}
            connection |= {"sasl_plain_username": sasl[0], "sasl_plain_password": sasl[1]}
        self.producer = KafkaProducer(**connection, acks="all", retries=5)
        self.seen: dict[str, Outcome] = {}
        self.group_id = group_id
        if group_id is not None:
            self.consumer = self._joined(connection, results_topic, group_id, from_beginning)
            return
        self.consumer = KafkaConsumer(**connection, enable_auto_commit=False)
        partitions = self.consumer.partitions_for_topic(results_topic) or set()
        assigned = [TopicPartition(results_topic, p) for p in sorted(partitions)]
        self.consumer.assign(assigned)
        if from_beginning:
            self.consumer.seek_to_beginning()
        else:  # fix the positions now, before any command is sent, so no result is missed
            self.consumer.seek_to_end()
            for partition in assigned:
                self.consumer.position(partition)

    def _joined(self, connection: dict[str, Any], topic: str, group_id: str, from_beginning: bool) -> KafkaConsumer:
        """A member of the agency's group, its partitions assigned and positions fixed (from the committed
        offsets; a new group starts at the end, or the beginning) before any command is sent."""
        reset = "earliest" if from_beginning else "latest"
        consumer = KafkaConsumer(**connection, group_id=group_id, enable_auto_commit=False, auto_offset_reset=reset)
        deadline = time.monotonic() + 30
        while not consumer.partitions_for_topic(topic):  # known before joining: else nothing is assigned
            if time.monotonic() > deadline:
                consumer.close()
                raise TimeoutError(f"no partitions of {topic} found (is it provisioned and readable?)")
            time.sleep(0.2)
        consumer.subscribe([topic])
        while not consumer.assignment():
            if time.monotonic() > deadline:
                consumer.close()
                raise TimeoutError(f"no partitions of {topic} assigned to group {group_id}")
            for records in consumer.poll(timeout_ms=200).values():
                for record in records:
                    self._note(record)
        for partition in consumer.assignment():
            consumer.position(partition)
        return consumer

    def send(
        self, command: str, body: BaseModel | dict[str, Any], *, command_id: str | None = None, **fields: Any
    ) -> str:
        """Publish one command (acknowledged by the broker when this returns); its id. `fields` add to
        the body (a sighting's `alert_id`)."""
        if command not in self.types:
            raise ValueError(f"no command {command!r} here; there are {sorted(self.types)}")
        command_id = command_id or str(uuid.uuid4())
        headers = {
            "ce_specversion": "1.0",
            "ce_id": command_id,
            "ce_type": self.types[command],
            "ce_source": self.source,
            "content-type": "application/json",
            "authorization": f"Bearer {self.token() if callable(self.token) else self.token}",
        }
        value = json.dumps({**dump(body), **fields}, ensure_ascii=False).encode()
        encoded = [(name, text.encode()) for name, text in headers.items()]
        self.producer.send(self.topic, key=command_id.encode(), value=value, headers=encoded).get(timeout=30)
        return command_id

    def results(self, command_ids: Iterable[str], timeout: float = 30.0) -> dict[str, Outcome]:
        """The outcomes of these commands, once every one has its result (TimeoutError if not in time)."""
        wanted = set(command_ids)
        deadline = time.monotonic() + timeout
        while wanted - self.seen.keys():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no result yet for {sorted(wanted - self.seen.keys())}")
            for records in self.consumer.poll(timeout_ms=200).values():
                for record in records:
                    self._note(record)
        if self.group_id is not None:
            self.consumer.commit()  # what was read is done with: a restart resumes after it
        return {command_id: self.seen[command_id] for command_id in wanted}

    def submit(self, command: str, body: BaseModel | dict[str, Any], timeout: float = 30.0, **fields: Any) -> Outcome:
        """Send one command and wait for its outcome."""
        command_id = self.send(command, body, **fields)
        return self.results([command_id], timeout)[command_id]

    def _note(self, record: Any) -> None:
        headers = {name: value.decode() for name, value in record.headers or []}
        command_id = headers.get("ce_causationid")
        if command_id:
            self.seen[command_id] = Outcome.parse(json.loads(record.value), command_id=command_id)

    def close(self) -> None:
        self.producer.close()
        self.consumer.close()

    def __enter__(self) -> Commands:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
