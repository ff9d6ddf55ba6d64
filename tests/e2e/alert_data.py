"""A realistic alert body for the tests that raise alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def alert_body(severity="I", hours=6, **extra):
    return {
        "category": "fugitive",
        "severity": severity,
        "title": "持刀抢劫嫌疑人逃窜",
        "description": "男，约30岁，黑色外套，向嘉善方向逃离",
        "location": {"lat": 31.05, "lon": 120.65, "address": "苏州市吴江区黎里镇汾湖大道"},
        "subjects": [
            {"kind": "person", "description": "男，约175cm，黑色外套"},
            {"kind": "vehicle", "description": "白色轿车", "plate": "苏E12345"},
        ],
        "action": "locate",
        "valid_until": (datetime.now(UTC) + timedelta(hours=hours)).isoformat(),
        **extra,
    }
