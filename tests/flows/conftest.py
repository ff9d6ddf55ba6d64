"""The broker-free tier's fixtures: in-memory zones of the real services (see tests/inmemory.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain
from tests.inmemory import InMemoryZone
from tests.instances import KEYS


@pytest.fixture
def zone_of(tmp_path) -> Iterator[Callable[..., InMemoryZone]]:
    init_dev_keys(KEYS)
    zones: list[InMemoryZone] = []

    def make(service: Domain, hold: bool = False) -> InMemoryZone:
        zone = InMemoryZone(service, tmp_path / f"{service.value}-{len(zones)}", KEYS, hold=hold)
        zones.append(zone)
        return zone

    yield make
    for zone in zones:
        zone.close()
