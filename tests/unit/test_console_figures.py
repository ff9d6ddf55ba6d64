"""The operations page's figures, shaped from Prometheus answers (no Prometheus needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.console.figures import Queries, day_window, overview
from shared.contracts import filing


def vector(*samples: tuple[dict[str, str], float]) -> list[dict]:
    return [{"metric": labels, "value": [0, str(value)]} for labels, value in samples]


def answers(**given: list[dict]) -> dict[str, list[dict]]:
    return {name: given.get(name, []) for name in Queries(60).all()}


def test_today_starts_at_midnight_beijing_time():
    since, seconds = day_window(datetime(2026, 11, 26, 17, 30, tzinfo=UTC))  # 01:30 on the 27th in Beijing
    assert since.isoformat() == "2026-11-27T00:00:00+08:00"
    assert seconds == 90 * 60
    assert day_window(datetime(2026, 11, 26, 16, 0, 10, tzinfo=UTC))[1] == 60  # never an empty range


def test_volumes_are_counted_where_each_act_happened_and_missing_ones_are_zero():
    published = vector(
        ({"region": "jiashan", "type": filing.SUBMITTED.type}, 3),
        ({"region": "qingpu", "type": filing.ACCEPTED.type}, 2),
        ({"region": "qingpu", "type": "cn.yrd.filing.received.v1"}, 3),  # not a figure of the page
    )
    figures = overview(answers(published=published), [], datetime.now(UTC))
    assert figures["volumes"]["jiashan"]["filings_submitted"] == 3
    assert figures["volumes"]["qingpu"]["filings_accepted"] == 2
    assert figures["volumes"]["wujiang"] == dict.fromkeys(figures["volumes"]["wujiang"], 0)


def test_sla_categories_event_plane_and_firing_alerts():
    figures = overview(
        answers(
            filings_overdue=vector(({"region": "qingpu"}, 2)),
            case_types=vector(({"case_type": "civil"}, 5), ({"case_type": "commercial"}, 1)),
            instances_up=vector(({}, 11)),
            instances=vector(({}, 12)),
            broker_up=vector(({}, 1)),
            dead_letters=vector(({}, float("nan"))),
            event_delay=vector(({}, 0.0374)),
        ),
        [
            {
                "state": "firing",
                "labels": {"alertname": "YrdInstanceDown", "severity": "critical"},
                "annotations": {"summary": "127.0.0.1:8201 (qingpu) does not answer scrapes"},
            },
            {"state": "pending", "labels": {"alertname": "YrdConsumerLagHigh", "severity": "warning"}},
        ],
        datetime.now(UTC),
    )
    assert figures["sla"]["qingpu"]["filings_overdue"] == 2 and figures["sla"]["jiashan"]["filings_overdue"] == 0
    assert figures["categories"]["case_types"] == {"civil": 5, "commercial": 1}
    plane = figures["event_plane"]
    assert (plane["instances_up"], plane["instances"], plane["broker_up"], plane["dead_letters_today"]) == (
        11,
        12,
        True,
        0,
    )
    assert plane["event_delay_p99_ms"] == 37
    assert [a["name"] for a in figures["alerts_firing"]] == ["YrdInstanceDown"]  # pending ones are not shown
    quiet = overview(answers(event_delay=vector(({}, float("nan")))), [], datetime.now(UTC))
    assert quiet["event_plane"]["event_delay_p99_ms"] is None  # no events in five minutes: nothing to show


def test_a_past_day_is_read_at_its_last_second_and_a_future_day_is_refused():
    from datetime import date

    import pytest

    from services.console.figures import firing_at, moment_of

    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
    assert moment_of(None, now) == now
    assert moment_of(date(2026, 11, 27), now) == now  # today: so far
    assert moment_of(date(2026, 11, 25), now).isoformat() == "2026-11-25T23:59:59+08:00"
    with pytest.raises(ValueError):
        moment_of(date(2026, 11, 28), now)
    remembered = vector(({"alertname": "ReportInsOverdue", "alertstate": "firing", "severity": "warning"}, 1))
    assert [a["labels"]["alertname"] for a in firing_at(remembered)] == ["ReportInsOverdue"]
