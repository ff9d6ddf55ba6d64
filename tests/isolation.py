"""Proof that the test suite leaves a running system alone: starts `make run` (the user's system, default
ports, `var/`), waits until its twelve instances are ready, runs the command given (CI: `make test`)
while probing every instance's /readyz each second, then stops the system with `make stop` and fails if
any probe was not 200 or the system's log shows consumer or broker errors.

    python -m tests.isolation make test
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from shared.contracts.regions import SERVICES, Region, port_of

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "var" / "isolation-run.log"
# What a disturbed system writes: lost coordinator or broker, consumers torn down, failed publishes.
TROUBLE = ("ECONNREFUSED", "FindCoordinator", "NodeNotReady", "consumer failed", "publish failed", "Traceback")


def urls() -> list[str]:
    return [f"http://127.0.0.1:{port_of(r, s)}/readyz" for s in SERVICES for r in Region]


def wait_ready(timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    pending = set(urls())
    while pending and time.monotonic() < deadline:
        for url in list(pending):
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    pending.discard(url)
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    if pending:
        raise SystemExit(f"isolation: `make run` did not get ready: {sorted(pending)}")


def probe(stop: threading.Event, failures: list[str]) -> None:
    # A connection per probe: a kept one the instance closed after its keep-alive (5 s, which a starved
    # prober's second can outlast) failed the next probe with ReadError though the instance was healthy.
    with httpx.Client(timeout=3, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        while not stop.wait(1.0):
            for url in urls():
                try:
                    status = client.get(url).status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                if status != 200:
                    failures.append(f"{time.strftime('%H:%M:%S')} {url}: {status}")


def main(command: list[str]) -> int:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("wb") as log:
        system = subprocess.Popen(["make", "run"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready()
        started = LOG.stat().st_size
        failures: list[str] = []
        stop = threading.Event()
        prober = threading.Thread(target=probe, args=(stop, failures), daemon=True)
        prober.start()
        began = time.monotonic()
        code = subprocess.run(command, cwd=ROOT).returncode
        took = time.monotonic() - began
        stop.set()
        prober.join()
        alive = system.poll() is None
    finally:
        subprocess.run(["make", "stop"], cwd=ROOT, capture_output=True)
        system.wait(timeout=60)
    troubles = [
        line
        for line in LOG.read_bytes()[started:].decode(errors="replace").splitlines()
        if any(t in line for t in TROUBLE)
    ]
    print(f"isolation: {len(urls())} instances probed each second during `{' '.join(command)}` ({took / 60:.1f} min)")
    for what, found in (("readiness failures", failures), ("errors in the system's log", troubles)):
        print(f"isolation: {len(found)} {what}")
        for line in found[:10]:
            print(f"  {line[:300]}")
    if not alive:
        print("isolation: `make run` exited during the run")
    return code or (1 if failures or troubles or not alive else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["make", "test"]))
