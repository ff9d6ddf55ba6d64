"""`yrd demo` (the README's first walk through the system) runs to the end against running instances of
all four services, through the Python client, and says what the system answered."""

from __future__ import annotations

import re

import pytest

from shared.core.settings import Settings
from shared.entrypoints import demo
from tests.instances import KEYS, PORT_BASE

pytestmark = pytest.mark.e2e


def test_the_demo_walks_through_all_four_services(filing_cluster, alerts_cluster, notary_cluster, corrections_cluster):
    said: list[str] = []
    demo.run(Settings(port_base=PORT_BASE, keys_dir=KEYS), said.append)
    text = "\n".join(said)
    assert re.search(r"Qingpu court accepts it: docket number \S+", text)
    assert re.search(r"the Jiashan window shows: accepted \S+", text)
    assert "acknowledged so far: jiashan" in text
    assert "Wujiang verifies the original: valid" in text and "an altered copy: hash_mismatch" in text
    assert "Qingpu asks for the full record: 403" in text
    assert "released at the end of the demo: released" in text
