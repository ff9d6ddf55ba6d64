"""Enforcement metrics: per violation code and tier and deciding region, the decisions of the last
`window_days`, their median fine and outside-range share; across the regions, the disparity index; and
whether each is flagged (deploy/prometheus/rules/enforcement.yml alerts on it). Every instance reads every
region's summaries, so each shows the zone's figures: the rule takes the max over instances."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import Gauge

from services.enforcement import store as db
from services.enforcement.queries import consistency_of
from services.enforcement.service import Config
from shared.contracts.regions import zone_today
from shared.entrypoints.runtime import Runtime

LABELS = ["region", "code", "tier", "decided_region"]
DECISIONS = Gauge("yrd_enforcement_decisions", "Decisions in the window, by code, tier and deciding region", LABELS)
MEDIAN_FINE = Gauge("yrd_enforcement_median_fine_yuan", "Median fine in the window (yuan)", LABELS)
OUTSIDE_SHARE = Gauge(
    "yrd_enforcement_outside_range_share", "Share of the window's decisions outside the benchmark's range", LABELS
)
INCONSISTENT = Gauge(
    "yrd_enforcement_inconsistent",
    "1 where a deciding region is flagged for a code and tier: its median far from the others' (disparity) "
    "or too many decisions outside the range (outside_range)",
    [*LABELS, "why"],
)
DISPARITY = Gauge(
    "yrd_enforcement_disparity_index",
    "Highest regional median fine over the lowest, by code and tier (regions with enough decisions)",
    ["region", "code", "tier"],
)
THRESHOLD = Gauge("yrd_enforcement_disparity_threshold", "The configured disparity threshold", ["region"])
PENDING = Gauge("yrd_enforcement_pending_review", "This region's decisions awaiting the legal sign-off", ["region"])


def refresh(runtime: Runtime, config: Config) -> None:
    region = runtime.settings.region.value
    conn = runtime.store.connect()
    for gauge in (DECISIONS, MEDIAN_FINE, OUTSIDE_SHARE, INCONSISTENT, DISPARITY):
        gauge.clear()
    today = zone_today()
    rows = db.decided_between(conn, today - timedelta(days=config.window_days - 1), today)
    for found in consistency_of(rows, config):
        if found.disparity_index is not None:
            DISPARITY.labels(region, found.code, found.tier).set(found.disparity_index)
        for row in found.regions:
            labels = (region, found.code, found.tier, row.region)
            DECISIONS.labels(*labels).set(row.decisions)
            if row.median_fine is not None:
                MEDIAN_FINE.labels(*labels).set(row.median_fine)
            OUTSIDE_SHARE.labels(*labels).set(row.outside_share)
            for why in row.flagged:
                INCONSISTENT.labels(*labels, why).set(1)
    THRESHOLD.labels(region).set(config.disparity_threshold)
    PENDING.labels(region).set(db.pending_review(conn, region))
