"""The three-cluster zone of the zone tests: its own clusters, links and MirrorMakers (ports offset by
10000 from `make run-zone`'s, state in a temporary folder), and filing and alerts instances of every region,
each on its home cluster only."""

from __future__ import annotations

import pytest

from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Region
from tests.instances import KEYS, Cluster
from tests.zone.workload import SERVICES
from yrd.zone.layout import ZoneLayout
from yrd.zone.processes import Zone

OFFSET = 10000
# Below the ephemeral port range (32768 and up), where a client connection may hold any port; beside the
# suite's instances (18000, 28000) and `make bench`'s (26000).
PORT_BASE = 24000


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    init_dev_keys(KEYS)
    processes = Zone(ZoneLayout(tmp_path_factory.mktemp("zone"), OFFSET))
    layout = processes.layout
    processes.up()
    cluster = Cluster(
        "",
        tmp_path_factory.mktemp("zone-instances"),
        list(SERVICES),
        # Severity I alerts are due in 30 s: a partition lets deadlines pass, and the owner escalates.
        {"YRD_ALERTS_ACK_I_SECONDS": "30", "YRD_SCAN_SECONDS": "1"},
        port_base=PORT_BASE,
        bootstraps={region: layout.bootstrap(region) for region in Region},
    )
    try:
        for service in SERVICES:
            for region in Region:
                cluster.start(region, service)
        cluster.wait_ready(timeout=120)
        yield processes, cluster
    finally:
        cluster.stop_all()
        processes.down()
