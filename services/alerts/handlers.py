"""What other regions' alert events do here: each one updates the read model. Decisions stay with the
owner, whose scanner (service.scan) escalates missed acknowledgements and expires alerts."""

from __future__ import annotations

from services.alerts import service
from shared.envelope import Event
from shared.uow import UnitOfWork


def handle(uow: UnitOfWork, event: Event) -> None:
    service.apply(uow, event)
