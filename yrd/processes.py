"""`yrd serve SERVICE --region R --processes N`: one parent supervising N worker processes of one instance.

Each worker is `yrd serve ... --worker`: a whole instance (app, store, relay, consumer, scanners) binding the
instance's HTTP port and peer listener with SO_REUSEPORT, so the kernel spreads connections over the
workers. The parent binds nothing and builds no app: it checks the ports are free (a bind without
SO_REUSEPORT fails while anyone holds them, so a second `yrd serve` of the instance is refused instead of
silently sharing them), starts the workers, restarts one that dies, forwards SIGTERM/SIGINT, and exits once
they have stopped. Workers are told by the kernel (PR_SET_PDEATHSIG) to stop if the parent dies, even by
SIGKILL, so stopping the parent by its pid (`yrd stop`, the launcher's pid file) stops the instance.

uvicorn's own supervisor (`uvicorn.supervisors.Multiprocess`) shares one pre-bound socket and runs one
`Server` per process from a `Config`; an instance here serves two listeners from an app it builds from
its settings at start-up, so its restart-and-forward loop is what is kept, not its code.

Several processes need the PostgreSQL store: its write transactions take the instance's advisory lock
(shared/adapters/pg/store.py); SQLite's group commit is one process's.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import typer

from shared.adapters.stores import is_postgres
from shared.core.settings import Settings

log = logging.getLogger(__name__)

WORKER_COMMAND = [sys.executable, "-m", "yrd.cli"]  # carries the launcher's mark (`yrd stop` finds it)
PR_SET_PDEATHSIG = 1
# A worker that dies sooner after its start counts towards giving up: five such deaths in a row are a worker
# that cannot start (bad settings; a store away at start fails it after its pool's 30 s).
QUICK_DEATH_SECONDS = 60.0
GIVE_UP_AFTER = 5


def check_processes(settings: Settings) -> None:
    if settings.processes > 1 and not is_postgres(settings.store_url):
        raise typer.BadParameter(
            f"{settings.processes} processes need the PostgreSQL store (YRD_STORE_URL=postgresql://...): "
            "the SQLite store's group commit serialises one process's writes only",
            param_hint="--processes",
        )


def listening_ports(settings: Settings) -> list[int]:
    return [settings.port, settings.peer_port] if settings.peer_tls else [settings.port]


def _refuse_taken_ports(settings: Settings) -> None:
    for port in listening_ports(settings):
        probe = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET, socket.SOCK_STREAM)
        # As the workers bind: a listener holds the port still, the TIME_WAIT connections of the instance's
        # last run (its peer listener closes first) do not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, port))
        except OSError as error:
            raise typer.BadParameter(
                f"{settings.host}:{port} is taken ({error.strerror})", param_hint="--port-base"
            ) from error
        finally:
            probe.close()


def metrics_dir(settings: Settings) -> Path:
    """Where the workers' metric values live (prometheus-client's multiprocess mode; shared/adapters/metrics.py)."""
    return settings.data_dir / "run" / "metrics" / settings.store_schema


def _die_with_parent(parent: int) -> None:
    """In the worker, before it runs: SIGTERM when the parent dies (however it dies)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


class Supervisor:
    def __init__(self, settings: Settings, command: list[str]) -> None:
        self.settings, self.command = settings, command
        self.workers: dict[int, tuple[subprocess.Popen[bytes], float]] = {}  # slot -> (process, started)
        self.stopping = False
        self.quick_deaths = 0
        self.env = os.environ.copy()
        directory = metrics_dir(settings)
        shutil.rmtree(directory, ignore_errors=True)  # the last run's values are not this run's
        directory.mkdir(parents=True)
        self.env["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
        self.env["YRD_PROCESSES"] = str(settings.processes)

    def _start(self, slot: int) -> None:
        parent = os.getpid()
        process = subprocess.Popen(self.command, env=self.env, preexec_fn=lambda: _die_with_parent(parent))
        self.workers[slot] = (process, time.monotonic())
        log.info("worker started", extra={"slot": slot, "worker_pid": process.pid})

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True
        for process, _ in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    def run(self) -> int:
        _refuse_taken_ports(self.settings)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for slot in range(self.settings.processes):
            self._start(slot)
        failed = False
        while not self.stopping:
            time.sleep(0.5)
            for slot, (process, started) in list(self.workers.items()):
                if self.stopping or process.poll() is None:
                    continue
                self._forget(process.pid)
                quick = time.monotonic() - started < QUICK_DEATH_SECONDS
                self.quick_deaths = self.quick_deaths + 1 if quick else 0
                log.warning(
                    "worker exited", extra={"slot": slot, "worker_pid": process.pid, "code": process.returncode}
                )
                if self.quick_deaths >= GIVE_UP_AFTER:
                    log.error("workers keep failing at start; stopping the instance")
                    failed = True
                    self._stop(signal.SIGTERM, None)
                    break
                self._start(slot)
        self._wait_all()
        return 1 if failed else 0

    def _wait_all(self) -> None:
        deadline = time.monotonic() + 20
        for process, _ in self.workers.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _forget(self, pid: int) -> None:
        """A dead worker's live gauges leave the scrape (its counters stay: they were counted)."""
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, self.env["PROMETHEUS_MULTIPROC_DIR"])


def supervise(settings: Settings, worker_command: list[str]) -> int:
    """Run the instance's workers until SIGTERM/SIGINT; the exit code (1: workers kept failing at start)."""
    check_processes(settings)
    return Supervisor(settings, worker_command).run()
