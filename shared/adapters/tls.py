"""Mutual TLS between regions' instances for point-to-point reads.

Every instance holds a certificate from the zone's CA naming it by a URI subject alternative name,
`spiffe://yrd.zone/{region}/{service}`, for both ends of a connection: it serves its peer listener with
it and presents it when it reads from another region's instance. Each end verifies the other against the
CA; the reader also checks that the server is the instance it meant to reach, and the server takes the
caller's region from the certificate (the gate matches it to the token's).

`yrd keys init` makes a development CA and a certificate per instance under `{keys}/tls/`; production
certificates come from the zone's own CA and are configured (YRD_TLS_DIR), never generated.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shared.contracts.regions import SERVICES, Domain, Region
from shared.rules.broker_access import service_principal

SCHEME = "spiffe://yrd.zone/"
CA_FILE = "ca.pem"
_DEV_VALIDITY = dt.timedelta(days=825)


@dataclass(frozen=True)
class PeerIdentity:
    region: Region
    service: Domain

    @property
    def uri(self) -> str:
        return f"{SCHEME}{self.region.value}/{self.service.value}"

    @property
    def stem(self) -> str:
        """The instance's name, as its broker principal is named too: its files are `{stem}.pem`."""
        return service_principal(self.region, self.service)


def identity_from_uri(uri: str) -> PeerIdentity | None:
    region, _, service = uri.removeprefix(SCHEME).partition("/") if uri.startswith(SCHEME) else ("", "", "")
    try:
        identity = PeerIdentity(Region(region), Domain(service))
    except ValueError:
        return None
    return identity if identity.service.is_service else None


@lru_cache(maxsize=256)
def identity_of(encoded: bytes | str) -> PeerIdentity | None:
    """The instance a (verified) certificate names, DER or PEM, or None if it names none (or several)."""
    if isinstance(encoded, str):
        certificate = x509.load_pem_x509_certificate(encoded.encode())
    else:
        certificate = x509.load_der_x509_certificate(encoded)
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    found = {identity_from_uri(uri) for uri in names.get_values_for_type(x509.UniformResourceIdentifier)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class InstanceTLS:
    """One instance's certificate, key and the zone CA it trusts."""

    directory: Path
    identity: PeerIdentity

    @property
    def ca(self) -> Path:
        return self.directory / CA_FILE

    @property
    def certificate(self) -> Path:
        return self.directory / f"{self.identity.stem}.pem"

    @property
    def key(self) -> Path:
        return self.directory / f"{self.identity.stem}.key.pem"

    def _context(self, purpose: ssl.Purpose) -> ssl.SSLContext:
        context = ssl.create_default_context(purpose, cafile=str(self.ca))
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_cert_chain(str(self.certificate), str(self.key))
        context.verify_mode = ssl.CERT_REQUIRED  # both ends: a server without a client certificate refuses
        return context

    def server_context(self) -> ssl.SSLContext:
        return self._context(ssl.Purpose.CLIENT_AUTH)

    def client_context(self) -> ssl.SSLContext:
        return self._context(ssl.Purpose.SERVER_AUTH)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "YRD Legal Link"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _DEV_VALIDITY)
    )


def _dev_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key_path, cert_path = directory / "ca.key.pem", directory / CA_FILE
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return x509.load_pem_x509_certificate(cert_path.read_bytes()), key
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("YRD zone development CA")
    certificate = (
        _builder(name, name, key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # certificate and CRL signing only
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key


def _dev_instance(
    directory: Path, identity: PeerIdentity, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names = [
        x509.UniformResourceIdentifier(identity.uri),
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
    ]
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    certificate = (
        _builder(_name(identity.stem), ca.subject, key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tls = InstanceTLS(directory, identity)
    _write_key(tls.key, key)
    tls.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def init_dev_tls(directory: Path) -> bool:
    """A development CA and a certificate for each instance of the zone, once. True if any was made."""
    directory.mkdir(parents=True, exist_ok=True)
    fresh_ca = not (directory / CA_FILE).exists() or not (directory / "ca.key.pem").exists()
    everyone = [PeerIdentity(region, service) for region in Region for service in SERVICES]
    missing = [i for i in everyone if fresh_ca or not InstanceTLS(directory, i).certificate.exists()]
    if not missing:
        return False
    ca, ca_key = _dev_ca(directory)
    for identity in missing:
        _dev_instance(directory, identity, ca, ca_key)
    return True
