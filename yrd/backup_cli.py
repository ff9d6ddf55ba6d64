"""`yrd backup` and `yrd restore` (registered in yrd/cli.py; the work is in yrd/backup.py and yrd/restore.py)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from shared.contracts.regions import Domain, Region
from shared.core.settings import Settings
from yrd.cli_output import FAILURE_FOUND, JSON_OPTION, USAGE, emit, fail, progress
from yrd.cli_tools import REGION, SERVICE, instance_settings


def _processes_with_open(path: Path) -> list[int]:
    """The processes that hold `path` open (a running instance holds its SQLite store open)."""
    target, found = path.resolve(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(Path(os.readlink(fd)) == target for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to look at
    return found


def _serving_processes(settings: Settings) -> list[int]:
    """`yrd serve SERVICE --region R` processes (run-all's instances among them) whose store is this one:
    the same YRD_STORE_URL in their environment (settings come from the environment only)."""
    wanted = [b"serve", settings.service.value.encode(), b"--region", settings.region.value.encode()]
    store = f"YRD_STORE_URL={settings.store_url}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
                if not any(args[i : i + 4] == wanted for i in range(len(args))) or b"yrd" not in b" ".join(args):
                    continue
                if store in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def running(settings: Settings) -> str:
    """Why the instance counts as running (empty: stopped): its port answers, or a process has its store."""
    import httpx

    from yrd.backup import SQLITE, backend_of

    stop_it = "stop it first (`yrd stop` for what `yrd run-all` started, else end that `yrd serve` process)"
    name = f"the {settings.region.value} {settings.service.value} instance"
    try:
        httpx.get(f"http://{settings.host}:{settings.port}/healthz", timeout=1)
        return f"{name} is running on port {settings.port}: {stop_it}"
    except httpx.HTTPError:
        pass
    if backend_of(settings) == SQLITE:
        holders = [pid for p in (settings.db_path, Path(f"{settings.db_path}-wal")) for pid in _processes_with_open(p)]
    else:
        holders = _serving_processes(settings)
    if holders:
        return f"{name} is running (pid {', '.join(map(str, sorted(set(holders))))}): {stop_it}"
    return ""


def backup(
    region: Region = REGION,
    service: Domain = SERVICE,
    to: Path = typer.Option(..., "--to", help="The backup file written (its manifest beside it, FILE.manifest.json)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Back up one instance's store while it serves: a consistent copy and its manifest (docs/backup.md)."""
    from yrd import backup as backups
    from yrd.restore import committed_offsets, service_topics

    settings = instance_settings(region=region, service=service)
    if backups.backend_of(settings) == backups.SQLITE and not settings.db_path.exists():
        raise fail(USAGE, f"no store at {settings.db_path}", as_json)
    try:
        committed = committed_offsets(settings.kafka, settings.group_id, service_topics(settings))
    except Exception as error:  # the broker away: the backup is still worth taking; restore replays by time
        typer.echo(f"the consumer group's offsets could not be read ({type(error).__name__}): not recorded", err=True)
        committed = None
    try:
        with progress("copying the store"):
            manifest = backups.take(settings, to, committed)
    except backups.BackupError as error:
        raise fail(FAILURE_FOUND, str(error), as_json) from None
    document = {"file": str(to), "manifest": str(backups.manifest_path(to)), **manifest.model_dump(mode="json")}
    emit(
        as_json,
        document,
        [
            f"backed up {region.value} {service.value} ({manifest.backend}) to {to} at {manifest.taken_at.isoformat()}",
            f"audit chain: {manifest.audit_entries} entries; {len(manifest.migrations)} migrations; "
            f"manifest {backups.manifest_path(to)}",
        ],
    )


def restore(
    region: Region = REGION,
    service: Domain = SERVICE,
    source: Path = typer.Option(..., "--from", help="The backup file (with its FILE.manifest.json beside it)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Put a backup back as a stopped instance's store and catch it up from the topics (docs/backup.md)."""
    from yrd.backup import BackupError
    from yrd.restore import describe
    from yrd.restore import restore as run_restore

    settings = instance_settings(region=region, service=service)
    if not source.exists():
        raise fail(USAGE, f"no backup at {source}", as_json)
    if why := running(settings):
        raise fail(USAGE, why, as_json)
    try:
        with progress("records replayed from the topics") as read:
            report = run_restore(settings, source, on_records=read.advance)
    except BackupError as error:
        raise fail(USAGE, str(error), as_json) from None
    document = {
        "region": region.value,
        "service": service.value,
        "taken_at": report.manifest.taken_at.isoformat(),
        "records_read": report.records_read,
        "applied": dict(report.replayed.applied),
        "poison": report.replayed.poison,
        "audit_tail": report.audit_tail,
        "audit_entries": report.audit_entries,
        "audit_ok": report.audit_ok,
        "audit_problem": report.audit_problem,
        "sequences": report.sequences,
        "seconds": round(report.seconds, 3),
        "moved_aside": str(report.moved_aside) if report.moved_aside else None,
    }
    emit(as_json, document, describe(report))
    if not report.audit_ok:
        raise typer.Exit(FAILURE_FOUND)
