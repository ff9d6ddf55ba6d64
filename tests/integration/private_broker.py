"""A broker of the test's own, on free ports and in a temporary state directory, for tests that stop,
kill or restart a broker: the one `make run` or the rest of the suite uses is never touched."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _status(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes().lower()
    except OSError:
        return b"zombie"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivateBroker:
    state_dir: Path
    port: int
    controller_port: int

    @classmethod
    def create(cls, state_dir: Path) -> PrivateBroker:
        return cls(state_dir, free_port(), free_port())

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return (self.state_dir / "broker.pid").exists()

    def _run(self, script: str) -> None:
        env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_STATE_DIR": str(self.state_dir),
            "KAFKA_METRICS_PORT": "",  # the main broker's exporter has the port; this one runs without
        }
        subprocess.run(["bash", str(ROOT / "deploy" / "kafka" / script)], env=env, check=True, timeout=180)

    def start(self) -> None:
        self._run("start.sh")

    def stop(self) -> None:
        self._run("stop.sh")

    def kill(self) -> None:
        """kill -9: the broker vanishes mid-request, as in a crash."""
        pidfile = self.state_dir / "broker.pid"
        pid = int(pidfile.read_text())
        os.kill(pid, signal.SIGKILL)
        while Path(f"/proc/{pid}").exists() and b"zombie" not in _status(pid):
            time.sleep(0.05)
        pidfile.unlink()
