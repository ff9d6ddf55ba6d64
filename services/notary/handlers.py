"""What other regions' notary events do here: each one updates the registry and read models."""

from __future__ import annotations

from services.notary import service
from shared.envelope import Event
from shared.uow import UnitOfWork


def handle(uow: UnitOfWork, event: Event) -> None:
    service.apply(uow, event)
