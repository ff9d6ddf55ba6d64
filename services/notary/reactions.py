"""What the requesting office does when a proof answer reaches it: it times the answer (the proof-sharing
SLA). Overdue requests are flagged by its scanner (service.scan_overdue), not in answer to an event."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from services.notary import store as db
from services.notary.metrics import ANSWER_SECONDS
from services.notary.ownership import PROOF_REQUEST
from shared.contracts import notary as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def time_answer(uow: UnitOfWork, event: Event) -> None:
    data: ev.ProofAnswered = event.data
    request = db.get_proof_request(uow.conn, data.request_id)
    if PROOF_REQUEST.owned_by(request, uow.region) and request["requested_at"]:
        waited = (data.answered_at - datetime.fromisoformat(request["requested_at"])).total_seconds()
        timer = ANSWER_SECONDS.labels(uow.region.value, request["proof_type"], data.outcome)
        uow.after_commit(partial(timer.observe, max(waited, 0)))


REACTIONS: Table = {ev.PROOF_ANSWERED: time_answer}
