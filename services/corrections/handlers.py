"""What other regions' corrections events do here: update the read model; the home region hands over
ownership when a destination accepts a transfer (see apply)."""

from __future__ import annotations

from collections.abc import Callable

from services.corrections.apply import apply
from services.corrections.service import Config
from shared.envelope import Event
from shared.uow import UnitOfWork


def make_handler(config: Config) -> Callable[[UnitOfWork, Event], None]:
    def handle(uow: UnitOfWork, event: Event) -> None:
        apply(uow, event, config.transfer_report_in_seconds)

    return handle
