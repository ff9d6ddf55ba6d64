"""Prometheus for the three-cluster zone: deploy/prometheus/prometheus.yml with its broker job pointed at
the three clusters' exporters and a job for the three MirrorMakers, every target labelled with its
region's cluster (rules/zone.yml compares what each region appends with what each flow copies)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shared.contracts.regions import Region
from yrd.zone.layout import ZoneLayout

BROKER_JOB = "kafka"
MIRROR_JOB = "mirror"


def _targets(ports: dict[Region, int]) -> list[dict[str, Any]]:
    return [{"targets": [f"127.0.0.1:{port}"], "labels": {"cluster": region.value}} for region, port in ports.items()]


def zone_config(base_file: Path, layout: ZoneLayout) -> dict[str, Any]:
    config = yaml.safe_load(base_file.read_text())
    here = base_file.parent
    config["rule_files"] = [str(here / pattern) for pattern in config.get("rule_files", [])]
    jobs = []
    for job in config["scrape_configs"]:
        credentials = job.get("authorization", {}).get("credentials_file")
        if credentials:
            job["authorization"]["credentials_file"] = str((here / credentials).resolve())
        if job["job_name"] == BROKER_JOB:
            job["static_configs"] = _targets({r: layout.broker_metrics_port(r) for r in Region})
        jobs.append(job)
    jobs.append(
        {"job_name": MIRROR_JOB, "static_configs": _targets({r: layout.mirror_metrics_port(r) for r in Region})}
    )
    config["scrape_configs"] = jobs
    return config


def write_zone_config(base_file: Path, layout: ZoneLayout, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(zone_config(base_file, layout), sort_keys=False))
    return out
