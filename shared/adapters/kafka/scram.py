"""SCRAM credentials for principals the broker does not know yet: a broker's storage is formatted with the
principals of its day (deploy/kafka/start.sh), and an agency catalogued later (shared/contracts/agencies.py)
gets its credential here, as the admin principal, from the same development credentials folder. Principals
that already have one keep it. Run by `make broker` (`python -m shared.adapters.kafka.scram`) and by the
tests that act as an agency."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.admin import ScramMechanism, UserScramCredentialUpsertion

from shared.adapters.kafka.access import DEV_CREDENTIALS, KafkaAccess, password_of
from shared.rules.broker_access import scram_principals


def ensure_credentials(kafka: KafkaAccess, credentials: Path = DEV_CREDENTIALS) -> list[str]:
    """Give every principal of broker_access that has no SCRAM-SHA-512 credential one; answer their names."""
    admin = KafkaAdminClient(**kafka.config(), request_timeout_ms=15000)
    try:
        wanted = scram_principals()
        known = admin.describe_user_scram_credentials(wanted)
        missing = [p for p in wanted if not (known.get(p) or {}).get("credential_infos")]
        if missing:
            mechanism = ScramMechanism.SCRAM_SHA_512
            upserts = [UserScramCredentialUpsertion(p, mechanism, password_of(credentials, p)) for p in missing]
            failed = {user: error for user, error in admin.alter_user_scram_credentials(upserts).items() if error}
            if failed:
                raise RuntimeError(f"the broker refused SCRAM credentials: {failed}")
        return missing
    finally:
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP") or "127.0.0.1:9092")
    parser.add_argument("--credentials", type=Path, default=DEV_CREDENTIALS)
    arguments = parser.parse_args()
    added = ensure_credentials(KafkaAccess.of(arguments.bootstrap, arguments.credentials), arguments.credentials)
    print(
        f"kafka: SCRAM credentials added for {', '.join(added)}"
        if added
        else "kafka: every principal has its credential"
    )


if __name__ == "__main__":
    main()
