"""Alertmanager for the zone: deploy/alertmanager/alertmanager.yml as the project keeps it, its receivers
pointed at this port base's operations process (the notification bridge) and at the identity written
here, run from Debian's package with clustering off and its state under the data directory."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from services.console.hooks import bridge_secret
from shared.core.settings import ROOT

CONFIG = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
PORT = 9095  # beside Prometheus (9090); Alertmanager's own default, 9093, is the Kafka controller's


def config_for(bridge: str, token_file: Path, base: Path = CONFIG) -> dict[str, Any]:
    """The configuration with every receiver posting to `bridge` (scheme://host:port) with `token_file`."""
    config = yaml.safe_load(base.read_text())
    target = urlsplit(bridge)
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            url = urlsplit(hook["url"])
            hook["url"] = urlunsplit((target.scheme, target.netloc, url.path, url.query, ""))
            hook["http_config"]["authorization"]["credentials_file"] = str(token_file)
    return config


def write_config(out: Path, bridge: str, token_file: Path, timing: dict[str, str] | None = None) -> Path:
    """`config_for(...)` written to `out`; `timing` (group_wait, group_interval, repeat_interval) replaces
    those of every route (a test's seconds instead of minutes)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    config = config_for(bridge, token_file)
    routes = [config["route"]]
    while routes:
        route = routes.pop()
        route.update({key: value for key, value in (timing or {}).items() if key in route or route is config["route"]})
        routes.extend(route.get("routes", []))
    out.write_text(yaml.safe_dump(config, sort_keys=False))
    return out


def command(config: Path, storage: Path, port: int = PORT) -> list[str]:
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        raise FileNotFoundError("prometheus-alertmanager is not installed (make setup installs it)")
    return [
        binary,
        f"--config.file={config}",
        f"--storage.path={storage}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",  # one Alertmanager: no gossip port to collide with anything
    ]


def start(
    data_dir: Path, keys_dir: Path, bridge: str, port: int = PORT, log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """Alertmanager with its configuration written to data_dir/run/alertmanager.yml and silences and
    notification state kept in data_dir/alertmanager (they survive a restart)."""
    storage = data_dir / "alertmanager"
    storage.mkdir(parents=True, exist_ok=True)
    config = write_config(data_dir / "run" / "alertmanager.yml", bridge, bridge_secret(keys_dir))
    out = log or open(storage / "alertmanager.log", "ab")  # noqa: SIM115 (lives with the process)
    return subprocess.Popen(command(config, storage, port), stdout=out, stderr=out)


def run(data_dir: Path, keys_dir: Path, port_base: int, echo) -> subprocess.Popen[bytes] | None:
    """`yrd run-all`'s Alertmanager, or None (said) when the package is missing."""
    try:
        process = start(data_dir, keys_dir, f"http://127.0.0.1:{port_base}")
    except FileNotFoundError as missing:
        echo(f"alertmanager: {missing}; running without it")
        return None
    echo(f"started {'zone':8} {'alertmanager':12} http://127.0.0.1:{PORT}")
    return process
