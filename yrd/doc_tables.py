"""The tables in docs/ that the code already knows, rendered from the code: the event table in
`docs/events.md` (from the contract registries) and the configuration table in `docs/operations.md` (from
the settings classes). Each sits between marker comments, `<!-- generated:NAME -->` and
`<!-- /generated:NAME -->`; `yrd docs` (or `python -m yrd.doc_tables`) rewrites what is between them and
nothing else, and `tests/unit/test_doc_tables.py` fails when a committed table differs from the code's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_settings import BaseSettings

from shared.contracts import REGISTRY
from shared.contracts.commands import COMMANDS, RESULTS
from shared.contracts.regions import Domain
from shared.core.settings import ROOT, Settings

REGENERATE = "`.venv/bin/yrd docs` (or `.venv/bin/python -m yrd.doc_tables`)"

# What a setting means, for the settings whose class does not say it as a field description. A setting
# with neither renders with an empty meaning, which the test refuses.
MEANINGS: dict[str, str] = {
    "YRD_REGION": "this instance's region (`yrd serve` and `yrd run-all` set it)",
    "YRD_SERVICE": "this instance's service (set likewise)",
    "KAFKA_BOOTSTRAP": "brokers; when set, `make` starts no local broker",
    "YRD_KAFKA_SASL": "authenticate with SASL/SCRAM-SHA-512; `false`: PLAINTEXT (an external cluster "
    "without authentication)",
    "YRD_KAFKA_USERNAME": "this process's broker principal",
    "YRD_KAFKA_PASSWORD_FILE": "its password (production); unset: the development password in the "
    "credentials directory",
    "YRD_KAFKA_CREDENTIALS_DIR": "development passwords, one file per principal (`admin` provisions)",
    "YRD_TOPIC_PREFIX": "namespace for topics and consumer groups (tests use one per run)",
    "YRD_HOST": "the address an instance's main port and peer listener bind to",
    "YRD_PORT_BASE": "base of the port map (the operations page listens on the base itself)",
    "YRD_DATA_DIR": "per-instance SQLite stores `{region}-{service}.sqlite3`",
    "YRD_KEYS_DIR": "development keys: token and event signing keys, the ID-hash key, `tls/`",
    "YRD_TRUST_FILE": "the trust file: token issuers' public keys and `event_keys`",
    "YRD_EVENT_KEY_FILE": "this region's event-signing key (Ed25519 PEM)",
    "YRD_ID_HASH_KEY_FILE": "zone-wide HMAC key (hex) for ID-number lookups",
    "YRD_PEER_HOST": "where other regions' instances are reached (their peer listener: port + 50)",
    "YRD_PEER_TLS": "point-to-point reads over mutual TLS; `false` (plain HTTP to the main port) only with "
    "a loopback `YRD_PEER_HOST`",
    "YRD_TLS_DIR": "the zone CA (`ca.pem`) and this instance's certificate and key "
    "(`{region}-{service}.pem`, `.key.pem`)",
    "YRD_CONSUMER_GROUP": "the consumer group of the domain's topics (agency commands: its `.commands` twin)",
    "YRD_OUTBOX_POLL_SECONDS": "relay safety poll (every commit that staged events wakes it at once)",
    "YRD_HANDLER_MAX_ATTEMPTS": "transient retries before `handler-failed`",
    "YRD_CONSUMER_COMMIT_SECONDS": "offsets of applied records are committed at most this often while "
    "records stream in (at once when they pause, or on stop)",
    "YRD_LOG_LEVEL": "this process's log level",
    "YRD_KAFKA_LOG_LEVEL": "the Kafka client's own logs (broker state changes are logged regardless)",
    "YRD_KAFKA_TIMEOUT_MS": "how long a Kafka client waits for the broker (construction, a send's "
    "metadata) before retrying",
    "YRD_SCAN_SECONDS": "how often deadline scanners run",
    "YRD_AUDIT_KEY": "read by nothing",
    "YRD_MAX_BODY_BYTES": "request bodies beyond this answer 413",
    "YRD_MAX_BATCH_BYTES": "the same for bulk NDJSON bodies (`…/batch`)",
    "YRD_FILING_DECISION_SECONDS": "the court's decision window (the 7-day rule)",
    "YRD_ALERTS_ACK_I_SECONDS": "acknowledgement deadline of a severity I alert",
    "YRD_ALERTS_ACK_II_SECONDS": "… of severity II",
    "YRD_ALERTS_ACK_III_SECONDS": "… of severity III",
    "YRD_ALERTS_ACK_IV_SECONDS": "… of severity IV",
    "YRD_CORRECTIONS_ENROL_REPORT_IN_SECONDS": "a subject reports in within this of the judgment",
    "YRD_CORRECTIONS_TRANSFER_REPORT_IN_SECONDS": "… and within this of a change of place",
    "YRD_CORRECTIONS_RETENTION_DAYS": "how long after release the home keeps a subject's full record",
    "YRD_NOTARY_PROOF_ANSWER_SECONDS": "proof requests fall overdue after this",
    "YRD_PROMETHEUS_URL": "where the operations page reads its figures",
    "YRD_NOTIFY_CONFIG": "the notification channels: each region's duty channels and the digest's receivers "
    "([alerting.md](alerting.md))",
    "YRD_DESK_IDLE_SECONDS": "a desk session unused this long is ended (the page's own polling does not count)",
    "YRD_DESK_SECURE_COOKIE": "the desk's session cookie is `Secure` (the desk served over TLS)",
}

# The default of a setting left unset, where the class says `None` and derives it.
DERIVED_DEFAULTS: dict[str, str] = {
    "YRD_KAFKA_USERNAME": "`{region}-{service}`",
    "YRD_KAFKA_PASSWORD_FILE": "`{credentials}/{username}`",
    "YRD_TRUST_FILE": "`{keys}/trust.json`",
    "YRD_EVENT_KEY_FILE": "`{keys}/{region}.events.key.pem`",
    "YRD_ID_HASH_KEY_FILE": "`{keys}/id-hash.key`",
    "YRD_TLS_DIR": "`{keys}/tls`",
    "YRD_CONSUMER_GROUP": "`{prefix}yrd.{service}.{region}`",
}


def settings_classes() -> list[type[BaseSettings]]:
    """The platform's settings, each declared service's own (in the registry's order), then the pages':
    the operations page's, its notification bridge's and the desk's."""
    from services.console.app import ConsoleSettings
    from services.console.channels import NotifySettings
    from services.desk.app import DeskSettings
    from yrd.registry import SERVICES

    own = [service.settings for service in SERVICES.values() if service.settings.model_fields]
    return [Settings, *own, ConsoleSettings, NotifySettings, DeskSettings]


def _variable(cls: type[BaseSettings], name: str, field: Any) -> str:
    if isinstance(field.validation_alias, str):
        return field.validation_alias
    return (cls.model_config.get("env_prefix", "") + name).upper()


def _default(variable: str, value: Any) -> str:
    if value is None:
        return DERIVED_DEFAULTS.get(variable, "unset")
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Path):
        shown = value.relative_to(ROOT) if value.is_relative_to(ROOT) else value
        return f"`{shown}`"
    if value == "":
        return "empty"
    return f"`{getattr(value, 'value', value)}`"


def _type(annotation: Any) -> str:
    """The setting's type as a reader says it (`Path | None` is a path that may be left unset)."""
    named = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    name = " or ".join(getattr(a, "__name__", str(a)) for a in named)
    return {"Path": "path", "Region": "region", "Domain": "service"}.get(name, name)


def settings_rows() -> list[tuple[str, str, str, str]]:
    """(variable, type, default, meaning) of every setting, in the classes' order."""
    rows = []
    for cls in settings_classes():
        for name, field in cls.model_fields.items():
            variable = _variable(cls, name, field)
            meaning = field.description or MEANINGS.get(variable, "")
            rows.append((variable, _type(field.annotation), _default(variable, field.default), meaning))
    return rows


def settings_table() -> str:
    lines = ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    lines += [f"| `{v}` | {t} | {d} | {m} |" for v, t, d, m in settings_rows()]
    return "\n".join(lines)


def _carries(model: type[BaseModel]) -> str:
    """The payload's fields (`?`: may be absent), then the first sentence of its docstring if it has one."""
    fields = ", ".join(f"`{n}`" + ("" if f.is_required() else "?") for n, f in model.model_fields.items())
    doc = " ".join((model.__doc__ or "").split())
    first = doc.split(". ")[0].rstrip(".")
    return f"{fields} — {first}" if first else fields


def event_rows() -> list[tuple[str, str, str, str, str]]:
    """(type, kind, domain, topic, carries) of every event, command and command result."""
    order = list(Domain)
    declared: list[tuple[str, Any, str]] = [
        *(("event", e, "`{region}.%s`") for e in REGISTRY.values()),
        *(("command", c, "`{region}.%s.commands`") for c in COMMANDS.values()),
        *(("result", r, "`{region}.%s.results`") for r in RESULTS.values()),
    ]
    kinds = ["event", "command", "result"]
    declared.sort(key=lambda d: (order.index(d[1].domain), kinds.index(d[0])))  # stable: declaration order
    return [
        (f"`{d.type}`", kind, d.domain.value, topic % d.domain.value, _carries(d.model)) for kind, d, topic in declared
    ]


def events_table() -> str:
    lines = ["| type | kind | domain | topic | carries |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in event_rows()]
    return "\n".join(lines)


# docs file -> {marker name: renderer}
TABLES: dict[str, dict[str, Callable[[], str]]] = {
    "docs/events.md": {"events": events_table},
    "docs/operations.md": {"configuration": settings_table},
}


def _block(name: str) -> re.Pattern[str]:
    """A table's markers, each on a line of its own, and whatever lines stand between them."""
    return re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.DOTALL)


def rendered_in(text: str, name: str) -> str | None:
    """What stands between a table's markers in `text` (None: no markers)."""
    found = _block(name).search(text)
    return None if found is None else text[found.end(1) : found.start(2)].removesuffix("\n")


def render(text: str, name: str, table: str) -> str:
    """`text` with the table between its markers replaced by `table`; everything else kept as it is."""
    block = _block(name)
    if block.search(text) is None:
        raise ValueError(f"no <!-- generated:{name} --> … <!-- /generated:{name} --> markers")
    return block.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text, count=1)


def stale(root: Path = ROOT) -> list[tuple[str, str]]:
    """(file, table) of every generated table whose committed text differs from the code's."""
    return [
        (path, name)
        for path, tables in TABLES.items()
        for name, table in tables.items()
        if rendered_in((root / path).read_text(), name) != table()
    ]


def write(root: Path = ROOT) -> Iterable[str]:
    """Rewrite every generated table; yields the files that changed."""
    for path, tables in TABLES.items():
        file = root / path
        before = file.read_text()
        after = before
        for name, table in tables.items():
            after = render(after, name, table())
        if after != before:
            file.write_text(after)
            yield path


def main() -> None:
    changed = list(write())
    print("\n".join(f"wrote {path}" for path in changed) or "the generated tables in docs/ are up to date")


if __name__ == "__main__":
    main()
