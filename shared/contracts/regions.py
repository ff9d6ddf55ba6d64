"""The three regions of the demonstration zone, the six services, and the fixed port map.

Region facts (division codes, court codes) come from the zone's shared domain notes; they are
identities every service needs, not domain rules of one service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class Region(StrEnum):
    JIASHAN = "jiashan"
    QINGPU = "qingpu"
    WUJIANG = "wujiang"


class Domain(StrEnum):
    """What a topic carries: one service's events each, and the audit trail of every service."""

    FILING = "filing"
    ALERTS = "alerts"
    CORRECTIONS = "corrections"
    NOTARY = "notary"
    ENFORCEMENT = "enforcement"
    PROCURATORATE = "procuratorate"
    AUDIT = "audit"

    @property
    def is_service(self) -> bool:
        return self is not Domain.AUDIT


SERVICES = tuple(d for d in Domain if d.is_service)  # the six services, in port-map order


@dataclass(frozen=True)
class RegionInfo:
    region: Region
    digit: int
    name_zh: str
    province_abbr: str
    division_code: str
    court_name: str
    court_code: str
    notary_office_abbr: str


REGIONS: dict[Region, RegionInfo] = {
    Region.JIASHAN: RegionInfo(Region.JIASHAN, 1, "嘉善县", "浙", "330421", "嘉善县人民法院", "浙0421", "浙嘉善"),
    Region.QINGPU: RegionInfo(Region.QINGPU, 2, "青浦区", "沪", "310118", "上海市青浦区人民法院", "沪0118", "沪青浦"),
    Region.WUJIANG: RegionInfo(Region.WUJIANG, 3, "吴江区", "苏", "320509", "苏州市吴江区人民法院", "苏0509", "苏吴江"),
}

SERVICE_DIGIT: dict[Domain, int] = {
    Domain.FILING: 1,
    Domain.ALERTS: 2,
    Domain.CORRECTIONS: 3,
    Domain.NOTARY: 4,
    Domain.ENFORCEMENT: 5,
    Domain.PROCURATORATE: 6,
}

DEFAULT_PORT_BASE = 8000


def port_of(region: Region, service: Domain, base: int = DEFAULT_PORT_BASE) -> int:
    """port = base + 100 * region digit + service digit (qingpu alerts = 8202)."""
    return base + 100 * REGIONS[region].digit + SERVICE_DIGIT[service]


PEER_PORT_OFFSET = 50


def peer_port_of(region: Region, service: Domain, base: int = DEFAULT_PORT_BASE) -> int:
    """An instance's mutual-TLS listener for other regions' instances: its port + 50 (qingpu alerts = 8252)."""
    return port_of(region, service, base) + PEER_PORT_OFFSET


# All three regions keep Beijing time: court calendars, notary years and "today" for deadlines follow it.
ZONE_TZ = ZoneInfo("Asia/Shanghai")


def zone_date(at: datetime) -> date:
    """The calendar date in the zone at instant `at` (a docket accepted at 01:00 on 1 January is that year's)."""
    return at.astimezone(ZONE_TZ).date()


def zone_today() -> date:
    return zone_date(datetime.now(ZONE_TZ))


def others(region: Region) -> list[Region]:
    return [r for r in Region if r != region]
