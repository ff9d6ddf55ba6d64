"""Signed events: each region signs every event it publishes with its own Ed25519 event key (apart from
its token key, so one stolen key does not give both), and every consumer verifies the signature against
the zone's trust list before it reads anything else of the record.

The signature covers every CloudEvents attribute header (`ce_*`, sorted) and the SHA-256 of the value, so
neither the envelope nor the data can be altered. The relay signs a batch of up to 64 events at once: each
event's signed form is a leaf of an RFC 9162 Merkle tree (shared/adapters/merkle.py), the signature covers
the tree's root, and each event carries its inclusion path (`ce_signaturepath`), so it is still checked
on its own, wherever it is read. A reader checks the signature over a root once and remembers it: the
other events of the batch cost it a few hashes instead of an Ed25519 check each. Events signed one by one
(without a path), as earlier versions published them, are still read.

A record is refused (dead-lettered, nothing applied): unsigned or altered, or its path leads to no root
signed by its key (`bad-signature`); signed with a key the trust list does not hold, or outside that key's
validity at the event's time (`untrusted-signer`); signed by a region other than the one whose topic it is
on or that it names as its own (`misattributed`).

Keys are held as `cryptography` objects (PEM files, key ids); the signing and checking themselves go
through libsodium (PyNaCl), which verifies in half the time OpenSSL takes: every region checks every
event of its service that it reads, and a check (~60 µs) cost more than decoding the event, which is why
a batch is checked once.

Rotation: the trust list holds any number of keys per region, each with an optional validity window
(`not_before`, `not_after`). Add the new key to every region's trust list, switch the region's signing
key, and close the old key's window once its events have been read everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from shared.adapters import merkle
from shared.contracts.envelope import (
    SIGNATURE_HEADER,
    SIGNATURE_KEY_HEADER,
    SIGNATURE_PATH_HEADER,
    DeadLetterReason,
    Event,
    PoisonMessage,
    decode,
)
from shared.contracts.regions import Region
from shared.contracts.topics import parse

_SIGNATURE_HEADERS = (SIGNATURE_HEADER, SIGNATURE_KEY_HEADER, SIGNATURE_PATH_HEADER)  # never part of what is signed
_CONTEXT = b"yrd-event-signature-v1\n"  # a signature over an event can never pass for another kind of message
_BATCH_CONTEXT = b"yrd-event-batch-signature-v1\n"  # nor one over a batch's root for one over a single event
SIGNED_BATCH = 64  # events under one signature: a path of at most 6 hashes (~270 bytes) on each
Headers = list[tuple[str, bytes]]


def signing_input(headers: Headers, value: bytes | None) -> bytes:
    attributes = sorted((n, v) for n, v in headers if n.startswith("ce_") and n not in _SIGNATURE_HEADERS)
    envelope = b"".join(name.encode() + b"=" + raw + b"\n" for name, raw in attributes)
    return _CONTEXT + envelope + b"sha256=" + hashlib.sha256(value or b"").hexdigest().encode()


def key_id(region: Region, key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{region.value}-{hashlib.sha256(raw).hexdigest()[:16]}"


def _raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        return key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass(frozen=True)
class EventSigner:
    region: Region
    key: Ed25519PrivateKey

    @cached_property
    def kid(self) -> str:  # computed once: every record the relay sends names it
        return key_id(self.region, self.key.public_key())

    @cached_property
    def _sodium(self) -> SigningKey:
        return SigningKey(_raw(self.key))

    @classmethod
    def load(cls, path: Path, region: Region) -> EventSigner:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return cls(region, key)

    def sign(self, headers: Headers, value: bytes | None) -> Headers:
        """One event's headers with its signature added (a batch of one)."""
        return self.sign_all([(headers, value)])[0]

    def sign_all(self, records: list[tuple[Headers, bytes | None]]) -> list[Headers]:
        """Each record's headers with the signature over its batch's root, its inclusion path and the key's
        id added (any earlier signature replaced): one Ed25519 signature per SIGNED_BATCH records."""
        signed: list[Headers] = []
        for start in range(0, len(records), SIGNED_BATCH):
            signed += self._sign_batch(records[start : start + SIGNED_BATCH])
        return signed

    def _sign_batch(self, records: list[tuple[Headers, bytes | None]]) -> list[Headers]:
        kept = [[(n, v) for n, v in headers if n not in _SIGNATURE_HEADERS] for headers, _ in records]
        values = [value for _, value in records]
        root, paths = merkle.tree([merkle.leaf_hash(signing_input(h, v)) for h, v in zip(kept, values, strict=True)])
        signature = base64.urlsafe_b64encode(self._sodium.sign(_BATCH_CONTEXT + root).signature)
        signed_by = [(SIGNATURE_HEADER, signature), (SIGNATURE_KEY_HEADER, self.kid.encode())]
        return [
            [*headers, *signed_by, (SIGNATURE_PATH_HEADER, _path(index, len(records), path))]
            for index, (headers, path) in enumerate(zip(kept, paths, strict=True))
        ]


def _path(index: int, size: int, path: list[bytes]) -> bytes:
    """`{index}/{size}:{the path's hashes, concatenated, base64url}`."""
    return f"{index}/{size}:".encode() + base64.urlsafe_b64encode(b"".join(path))


def _parse_path(raw: bytes) -> tuple[int, int, list[bytes]]:
    where, _, hashes = raw.partition(b":")
    index, _, size = where.partition(b"/")
    nodes = base64.urlsafe_b64decode(hashes)
    if len(nodes) % 32:
        raise ValueError("a path is whole SHA-256 hashes")
    return int(index), int(size), [nodes[i : i + 32] for i in range(0, len(nodes), 32)]


@dataclass(frozen=True)
class TrustedKey:
    region: Region
    key: Ed25519PublicKey
    not_before: datetime | None = None
    not_after: datetime | None = None

    @cached_property
    def verifier(self) -> VerifyKey:
        return VerifyKey(_raw(self.key))

    def valid_at(self, at: datetime) -> bool:
        return (self.not_before is None or at >= self.not_before) and (self.not_after is None or at < self.not_after)


@dataclass(frozen=True)
class EventTrust:
    keys: dict[str, TrustedKey]  # key id -> key

    def __post_init__(self) -> None:
        # The batch roots whose signature has been checked, good or bad: the rest of a batch is read at
        # the cost of its path's hashes. Bounded; keyed by key, root and signature, so nothing else matches.
        object.__setattr__(self, "_root_signed", lru_cache(maxsize=4096)(self._check_root))

    @classmethod
    def load(cls, path: Path) -> EventTrust:
        """The trust file's `event_keys`: [{region, public_key, not_before?, not_after?}, ...]."""
        keys = {}
        for entry in json.loads(path.read_text()).get("event_keys", []):
            region, key = Region(entry["region"]), serialization.load_pem_public_key(entry["public_key"].encode())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError(f"trust file: an event key of {region.value} is not Ed25519")
            window = [datetime.fromisoformat(entry[k]) if entry.get(k) else None for k in ("not_before", "not_after")]
            keys[key_id(region, key)] = TrustedKey(region, key, *window)
        return cls(keys)

    def verify(self, topic_region: Region, headers: Headers, value: bytes | None) -> None:
        """Raise PoisonMessage unless the record is signed, unaltered, by a trusted key of the region whose
        topic it is on and which it names."""
        header = dict(headers)
        if SIGNATURE_HEADER not in header or SIGNATURE_KEY_HEADER not in header:
            raise PoisonMessage(DeadLetterReason.BAD_SIGNATURE, "the record is not signed")
        kid = header[SIGNATURE_KEY_HEADER].decode(errors="replace")
        trusted = self.keys.get(kid)
        if trusted is None:
            raise PoisonMessage(DeadLetterReason.UNTRUSTED_SIGNER, f"no trusted event key {kid[:60]}")
        if not self._signed(kid, trusted, header, signing_input(headers, value)):
            raise PoisonMessage(DeadLetterReason.BAD_SIGNATURE, "the signature does not match the record")
        named = header.get("ce_region", b"").decode(errors="replace")
        if not trusted.region == topic_region == named:
            detail = f"signed by {trusted.region.value}, on {topic_region.value}'s topic, naming {named[:20]}"
            raise PoisonMessage(DeadLetterReason.MISATTRIBUTED, detail)
        if not trusted.valid_at(_event_time(header)):
            raise PoisonMessage(DeadLetterReason.UNTRUSTED_SIGNER, f"key {kid} is not valid at the event's time")

    def _signed(self, kid: str, trusted: TrustedKey, header: dict[str, bytes], message: bytes) -> bool:
        try:
            signature = base64.urlsafe_b64decode(header[SIGNATURE_HEADER])
            if SIGNATURE_PATH_HEADER not in header:  # signed on its own, as earlier versions did
                return _checks(trusted, message, signature)
            index, size, path = _parse_path(header[SIGNATURE_PATH_HEADER])
            root = merkle.root_from_path(index, size, merkle.leaf_hash(message), path)
        except (ValueError, TypeError):
            return False
        return self._root_signed(kid, root, signature)  # type: ignore[attr-defined]

    def _check_root(self, kid: str, root: bytes, signature: bytes) -> bool:
        return _checks(self.keys[kid], _BATCH_CONTEXT + root, signature)


def _checks(trusted: TrustedKey, message: bytes, signature: bytes) -> bool:
    try:
        trusted.verifier.verify(message, signature)
    except (BadSignatureError, ValueError):
        return False
    return True


def _event_time(header: dict[str, bytes]) -> datetime:
    try:
        return datetime.fromisoformat(header["ce_time"].decode())
    except (KeyError, ValueError):
        raise PoisonMessage(DeadLetterReason.BAD_ENVELOPE, "no valid ce_time") from None


Reader = Callable[[str, bytes | None, bytes | None, Headers], Event]


def plain_reader(topic_name: str, key: bytes | None, value: bytes | None, headers: Headers) -> Event:
    """Decoding without a signature check: for tools and tests that wire no trust list."""
    return decode(key, value, headers)


def verifying_reader(trust: EventTrust, topic_prefix: str) -> Reader:
    """Check the signature first (nothing of an unverified record is parsed), then decode."""

    def read(topic_name: str, key: bytes | None, value: bytes | None, headers: Headers) -> Event:
        region, _ = parse(topic_name, topic_prefix)
        trust.verify(Region(region), headers, value)
        return decode(key, value, headers)

    return read


def event_key_path(keys_dir: Path, region: Region) -> Path:
    return keys_dir / f"{region.value}.events.key.pem"


def init_dev_event_keys(keys_dir: Path, trust_path: Path) -> bool:
    """Each region's development event key, and its public half in the trust file's `event_keys`, once
    (production keys are supplied, never generated). True if anything was created."""
    trust = json.loads(trust_path.read_text())
    listed = {entry["region"] for entry in trust.get("event_keys", [])}
    created = False
    for region in Region:
        path = event_key_path(keys_dir, region)
        if path.exists() and region.value in listed:
            continue
        key = Ed25519PrivateKey.generate()
        path.touch(mode=0o600)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        entries = [e for e in trust.get("event_keys", []) if e["region"] != region.value]
        trust["event_keys"] = [*entries, {"region": region.value, "public_key": public_pem(key.public_key())}]
        created = True
    if created:
        trust_path.write_text(json.dumps(trust, indent=2))
    return created
