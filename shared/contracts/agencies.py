"""The zone's catalogue of agencies whose systems call the instances: each agency's id, region and kind.

One entry makes everything an agency system needs: its OAuth client at its region's identity provider
(`deploy/keycloak/realms/*.json`, generated from here), the `agency` claim its tokens carry (the id), what
its kind lets it do beyond its own records (`shared/rules/policy.py`, AGENCY_KIND_GRANTS), and its own
Kafka principal and consumer-group prefix (`shared/rules/broker_access.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.regions import Region


class AgencyKind(StrEnum):
    COURT = "court"
    POLICE = "police"
    CORRECTIONS_OFFICE = "corrections-office"
    NOTARY_OFFICE = "notary-office"
    ENFORCEMENT_BUREAU = "enforcement-bureau"
    PROCURATORATE = "procuratorate"
    LAW_FIRM = "law-firm"


@dataclass(frozen=True)
class Agency:
    id: str  # the OAuth client id, the tokens' `agency` claim and the Kafka principal's name
    region: Region
    kind: AgencyKind
    name: str


def _region_agencies(region: Region, place: str) -> list[Agency]:
    r = region.value
    return [
        Agency(f"{r}-court-system", region, AgencyKind.COURT, f"{place}人民法院 case management system"),
        Agency(f"{r}-police-dispatch", region, AgencyKind.POLICE, f"{place}公安 dispatch and plate recognition"),
        Agency(f"{r}-corrections-office", region, AgencyKind.CORRECTIONS_OFFICE, f"{place}司法局 corrections office"),
        Agency(f"{r}-notary-office", region, AgencyKind.NOTARY_OFFICE, f"{place}公证处 notary office system"),
        Agency(f"{r}-enforcement-bureau", region, AgencyKind.ENFORCEMENT_BUREAU, f"{place} enforcement bureau"),
        Agency(f"{r}-procuratorate-system", region, AgencyKind.PROCURATORATE, f"{place}人民检察院 case system"),
        Agency(f"{r}-law-firm", region, AgencyKind.LAW_FIRM, f"a {place} law firm's filing system"),
    ]


AGENCIES: dict[str, Agency] = {
    agency.id: agency
    for region, place in ((Region.JIASHAN, "嘉善"), (Region.QINGPU, "青浦"), (Region.WUJIANG, "吴江"))
    for agency in _region_agencies(region, place)
}


def agency(agency_id: str | None) -> Agency | None:
    """The catalogued agency of this id (None for an id the catalogue does not name)."""
    return AGENCIES.get(agency_id) if agency_id else None


def agencies_of(region: Region) -> list[Agency]:
    return [a for a in AGENCIES.values() if a.region is region]
