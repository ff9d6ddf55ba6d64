"""The procuratorate service, declared: what the platform needs to run an instance of it
(shared/entrypoints/service.py)."""

from __future__ import annotations

from services.procuratorate import api, cli, metrics, service, store
from services.procuratorate.config import ProcuratorateSettings, configure
from services.procuratorate.projection import PROJECTION
from services.procuratorate.reactions import reactions
from services.procuratorate.rows import (
    AssistanceRow,
    FindingRow,
    JointCaseRow,
    MaterialContentRow,
    MaterialRow,
    ReferralRow,
    StepRow,
)
from shared.contracts.regions import Domain
from shared.entrypoints.service import Service

SERVICE = Service(
    domain=Domain.PROCURATORATE,
    settings=ProcuratorateSettings,
    configure=configure,
    migrations=store.MIGRATIONS,
    projection=PROJECTION,
    reactions=reactions,
    creates=api.creates,
    routers=lambda instance: [api.make_router(instance.config)],
    scanners=lambda config: [service.scan_overdue(config)],
    gauges=metrics.refresh,
    restore=store.restore_sequences,
    # A receipt leaves the store as signed (rows.SignedReceipt: its id named receipt_id, without the scanner's
    # flag), so no receipts row type is declared.
    rows={
        "referrals": ReferralRow,
        "assistance": AssistanceRow,
        "joint_cases": JointCaseRow,
        "findings": FindingRow,
        "steps": StepRow,
        "materials": MaterialRow,
        "material_contents": MaterialContentRow,
    },
    cli=cli.evidence_cli,
    cli_name="evidence",
    tag="procuratorate",
)
