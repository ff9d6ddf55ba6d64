"""What the operations page shows: the Prometheus queries (declared once, here) and how their answers
become the page's figures. Pure: no I/O, so the shaping is tested without Prometheus."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from shared.contracts import alerts, corrections, filing, notary
from shared.contracts.base import EventType
from shared.contracts.regions import ZONE_TZ, Region

Sample = Mapping[str, Any]  # one element of a Prometheus instant vector: {"metric": {...}, "value": [t, "v"]}

# Today's volumes, per region, counted from the events each region published (the owner of each record
# publishes its events, so every act is counted once, where it happened).
VOLUMES: dict[str, EventType[Any]] = {
    "filings_submitted": filing.SUBMITTED,
    "filings_accepted": filing.ACCEPTED,
    "filings_rejected": filing.REJECTED,
    "alerts_raised": alerts.RAISED,
    "alerts_acknowledged": alerts.ACKNOWLEDGED,
    "alerts_escalated": alerts.ESCALATED,
    "subjects_enrolled": corrections.ENROLLED,
    "certificates_issued": notary.CERTIFICATE_ISSUED,
    "certificates_verified": notary.CERTIFICATE_VERIFIED,
    "certificates_revoked": notary.CERTIFICATE_REVOKED,
    "proofs_requested": notary.PROOF_REQUESTED,
    "proofs_answered": notary.PROOF_ANSWERED,
}


@dataclass(frozen=True)
class Queries:
    """Every query the page needs, for a day that began `window` seconds ago."""

    window: int

    def all(self) -> dict[str, str]:
        w = f"{self.window}s"
        return {
            "published": f"round(sum by (region, type) (increase(yrd_events_published_total[{w}])))",
            "travelling": "max by (region) (yrd_corrections_travels_in_progress)",
            "transfers": "max by (region) (yrd_corrections_transfers_pending)",
            "alerts_active": "sum by (origin) (yrd:alerts_active:by_severity)",
            "case_types": "sum by (case_type) (yrd:filings:by_status)",
            "alert_categories": "sum by (category) (yrd:alerts_active:by_severity)",
            "filings_overdue": "max by (region) (yrd_filings_overdue)",
            "acks_missed": f"round(sum by (region) (increase(yrd_alert_escalations_total[{w}])))",
            "report_ins_overdue": "max by (region) (yrd_corrections_report_in_overdue)",
            "proofs_overdue": "max by (region) (yrd_notary_proof_requests_overdue)",
            # 同案同罚: the codes and tiers where a region's penalties stand out (services/enforcement)
            "penalties_out_of_line": "count by (decided_region) (max by (code, tier, decided_region) "
            "(yrd_enforcement_inconsistent) > 0)",
            "instances_up": 'sum(up{job=~"yrd-.*"})',
            "instances": 'count(up{job=~"yrd-.*"})',
            "broker_up": 'max(up{job="kafka"})',
            "consumer_lag": "sum(yrd:consumer_lag:sum)",
            "dead_letters": f"round(sum(increase(yrd_events_dead_lettered_total[{w}])))",
            "outbox_backlog": "sum(yrd_outbox_backlog)",
            "event_delay": "max(yrd:event_delay_p99_seconds:5m)",  # the slowest pair of regions
        }


def day_window(now: datetime) -> tuple[datetime, int]:
    """Since when "today" counts (midnight, Beijing time: the zone's calendar) and how many seconds that is
    (at least a minute, so a query's range is never empty)."""
    local = now.astimezone(ZONE_TZ)
    midnight = datetime.combine(local.date(), time(0), ZONE_TZ)
    return midnight, max(int((local - midnight) / timedelta(seconds=1)), 60)


def moment_of(day: date | None, now: datetime) -> datetime:
    """When a day's figures are read: now for today (or no day given), the day's last second for a past
    one. A day still to come has no figures."""
    if day is None:
        return now
    if day > now.astimezone(ZONE_TZ).date():
        raise ValueError("that day has not begun")
    end = datetime.combine(day, time(23, 59, 59), ZONE_TZ)
    return min(end, now)


def firing_at(samples: list[Sample]) -> list[dict[str, Any]]:
    """Firing alerts as the ALERTS series remembers them (for a past day: no summaries are kept)."""
    return [
        {"state": "firing", "labels": dict(s["metric"]), "annotations": {}}
        for s in samples
        if s["metric"].get("alertstate") == "firing"
    ]


def _number(sample: Sample) -> float:
    value = float(sample["value"][1])
    return 0.0 if value != value else value  # NaN (an empty rate) counts as nothing


def _milliseconds(samples: list[Sample]) -> int | None:
    """A duration in seconds, shown in ms; None when nothing was observed (no events: an empty rate)."""
    values = [float(s["value"][1]) for s in samples]
    known = [v for v in values if v == v]
    return round(1000 * max(known)) if known else None


def _by(samples: list[Sample], label: str) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for sample in samples:
        found[sample["metric"].get(label, "")] += round(_number(sample))
    return dict(found)


def _scalar(samples: list[Sample]) -> int:
    return round(sum(_number(s) for s in samples))


def overview(answers: Mapping[str, list[Sample]], firing: list[Mapping[str, Any]], now: datetime) -> dict:
    """The page's figures from the answers to `Queries.all()` and Prometheus's firing alerts."""
    since, _ = day_window(now)
    regions = [r.value for r in Region]
    published = defaultdict(dict)
    for sample in answers["published"]:
        published[sample["metric"].get("region", "")][sample["metric"].get("type", "")] = round(_number(sample))
    volumes = {r: {name: published[r].get(t.type, 0) for name, t in VOLUMES.items()} for r in regions}
    in_progress = {
        r: {
            "subjects_travelling": _by(answers["travelling"], "region").get(r, 0),
            "transfers_pending": _by(answers["transfers"], "region").get(r, 0),
            "alerts_active": _by(answers["alerts_active"], "origin").get(r, 0),
        }
        for r in regions
    }
    sla = {
        r: {
            "filings_overdue": _by(answers["filings_overdue"], "region").get(r, 0),
            "acks_missed_today": _by(answers["acks_missed"], "region").get(r, 0),
            "report_ins_overdue": _by(answers["report_ins_overdue"], "region").get(r, 0),
            "proofs_overdue": _by(answers["proofs_overdue"], "region").get(r, 0),
            "penalties_out_of_line": _by(answers.get("penalties_out_of_line", []), "decided_region").get(r, 0),
        }
        for r in regions
    }
    return {
        "at": now.isoformat(),
        "today_since": since.isoformat(),
        "regions": regions,
        "volumes": volumes,
        "in_progress": in_progress,
        "categories": {
            "case_types": _by(answers["case_types"], "case_type"),
            "alert_categories": _by(answers["alert_categories"], "category"),
        },
        "sla": sla,
        "event_plane": {
            "instances_up": _scalar(answers["instances_up"]),
            "instances": _scalar(answers["instances"]),
            "broker_up": _scalar(answers["broker_up"]) == 1,
            "consumer_lag": _scalar(answers["consumer_lag"]),
            "dead_letters_today": _scalar(answers["dead_letters"]),
            "outbox_backlog": _scalar(answers["outbox_backlog"]),
            "event_delay_p99_ms": _milliseconds(answers["event_delay"]),
        },
        "alerts_firing": [
            {
                "name": a["labels"].get("alertname", ""),
                "severity": a["labels"].get("severity", ""),
                "summary": a.get("annotations", {}).get("summary", ""),
                "since": a.get("activeAt"),
            }
            for a in firing
            if a.get("state") == "firing"
        ],
    }
